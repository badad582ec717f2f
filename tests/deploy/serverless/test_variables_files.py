"""`${file(...)}` variables on real files (YAML, JSON, text, JS run by Node.js), and a project
read end to end through `project.load`."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest

from overcast.deploy.serverless import project
from overcast.deploy.serverless.model import TranslationError
from overcast.deploy.serverless.variables import VariableSources, resolve

needs_node = pytest.mark.skipif(shutil.which("node") is None, reason="needs Node.js")


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def test_yaml_json_and_text_files_and_parts_of_them(tmp_path: Path) -> None:
    write(
        tmp_path,
        "config/dev.yml",
        "table: t-${self:service}\nsizes: [128, {mem: 512}]\nq: !GetAtt Q.Arn\n",
    )
    write(tmp_path, "x.json", '{"a": {"b": [1, {"c": "deep"}]}}')
    write(tmp_path, "motd.txt", "hello")
    config = {
        "service": "notes",
        "provider": {"stage": "dev"},
        "all": "${file(./config/${sls:stage}.yml)}",
        "mem": "${file(./config/dev.yml):sizes[1].mem}",
        "deep": "${file(x.json):a.b.1.c}",
        "text": "say ${file(./motd.txt)}",
        "missing": "${file(./nope.yml), 'fallback'}",
        "missing_key": "${file(./x.json):a.zz, 0}",
    }
    resolved = resolve(config, VariableSources(root=tmp_path))
    assert resolved["all"] == {
        "table": "t-notes",
        "sizes": [128, {"mem": 512}],
        "q": {"Fn::GetAtt": ["Q", "Arn"]},
    }
    assert (resolved["mem"], resolved["deep"], resolved["text"]) == (512, "deep", "say hello")
    assert (resolved["missing"], resolved["missing_key"]) == ("fallback", 0)


def test_a_file_outside_the_folder_is_read_as_the_framework_does(tmp_path: Path) -> None:
    write(tmp_path, "shared.yml", "region: eu-west-1\n")
    service = tmp_path / "svc"
    service.mkdir()
    resolved = resolve({"r": "${file(../shared.yml):region}"}, VariableSources(root=service))
    assert resolved["r"] == "eu-west-1"


def test_a_file_of_keys_referring_to_each_other_by_their_new_place(tmp_path: Path) -> None:
    write(tmp_path, "c.yml", "name: svc\ntable: ${self:custom.name}-table\n")
    resolved = resolve({"custom": "${file(./c.yml)}"}, VariableSources(root=tmp_path))
    assert resolved["custom"] == {"name": "svc", "table": "svc-table"}


def test_a_file_that_includes_itself_is_stopped(tmp_path: Path) -> None:
    write(tmp_path, "loop.yml", "again: ${file(./loop.yml)}\n")
    with pytest.raises(TranslationError, match="nested deeper than|more than"):
        resolve({"custom": "${file(./loop.yml)}"}, VariableSources(root=tmp_path))


def test_a_broken_file_is_an_error_naming_key_and_file(tmp_path: Path) -> None:
    write(tmp_path, "bad.json", "{nope")
    with pytest.raises(
        TranslationError, match=r'^custom\.x: .*Cannot parse JSON from ".*bad\.json"'
    ):
        resolve({"custom": {"x": "${file(./bad.json)}"}}, VariableSources(root=tmp_path))


def test_typescript_variable_files_are_refused_by_name(tmp_path: Path) -> None:
    write(tmp_path, "v.ts", "export default 1\n")
    with pytest.raises(TranslationError, match="TypeScript variable files are not supported"):
        resolve({"x": "${file(./v.ts)}"}, VariableSources(root=tmp_path))


@needs_node
def test_js_files_export_values_and_functions_that_resolve_variables(tmp_path: Path) -> None:
    write(
        tmp_path,
        "values.js",
        """
        module.exports = { plain: { a: 1 }, stage: ({ options }) => options.stage };
        """,
    )
    write(
        tmp_path,
        "dynamic.mjs",
        """
        export default async ({ resolveVariable, resolveConfigurationProperty }) => {
          const [service, region] = await Promise.all([
            resolveVariable('self:service'),
            resolveConfigurationProperty(['provider', 'region']),
          ])
          return { name: `${service}-${region}-${process.env.EXTRA}`, n: 3 }
        }
        """,
    )
    config = {
        "service": "notes",
        "provider": {"region": "${opt:region, 'eu-west-1'}"},
        "plain": "${file(./values.js):plain}",
        "stage": "${file(./values.js):stage}",
        "dyn": "${file(./dynamic.mjs)}",
        "n": "${file(./dynamic.mjs):n}",
    }
    sources = VariableSources(root=tmp_path, options={"stage": "qa"}, env={"EXTRA": "x"})
    resolved = resolve(config, sources)
    assert resolved["plain"] == {"a": 1}
    assert resolved["stage"] == "qa"
    assert resolved["dyn"] == {"name": "notes-eu-west-1-x", "n": 3}
    assert resolved["n"] == 3


@needs_node
def test_a_js_file_that_throws_is_an_error_with_its_message(tmp_path: Path) -> None:
    write(tmp_path, "boom.js", "module.exports = () => { throw new Error('kaboom') }\n")
    with pytest.raises(TranslationError, match=r"^x: .*Cannot load or execute JS module .*kaboom"):
        resolve({"x": "${file(./boom.js)}"}, VariableSources(root=tmp_path))


@needs_node
def test_a_js_file_may_catch_a_variable_that_cannot_be_resolved(tmp_path: Path) -> None:
    write(
        tmp_path,
        "catch.js",
        """
        module.exports = async ({ resolveVariable }) => {
          try { return await resolveVariable('env:NOPE') } catch (e) { return 'caught' }
        }
        """,
    )
    assert resolve({"x": "${file(./catch.js)}"}, VariableSources(root=tmp_path)) == {"x": "caught"}


@needs_node
def test_a_js_file_asking_for_a_missing_variable_fails_with_that_variables_error(
    tmp_path: Path,
) -> None:
    write(
        tmp_path,
        "ask.js",
        "module.exports = ({ resolveVariable }) => resolveVariable('env:NOPE')\n",
    )
    with pytest.raises(TranslationError, match=r"Cannot resolve '\$\{env:NOPE\}'"):
        resolve({"x": "${file(./ask.js)}"}, VariableSources(root=tmp_path))


@needs_node
def test_project_load_resolves_a_project_folder_end_to_end(tmp_path: Path) -> None:
    write(
        tmp_path,
        "serverless.yml",
        """
        service: notes
        provider:
          name: aws
          runtime: nodejs20.x
          stage: ${opt:stage, 'dev'}
          region: ${file(./settings.json):region}
          environment:
            TABLE_NAME: ${self:service}-${sls:stage}-notes
            QUEUE_ARN: arn:aws:sqs:${aws:region}:${aws:accountId}:jobs
            BUILD: ${file(./build.js):id}
          iam:
            role:
              statements:
                - Effect: Allow
                  Action: dynamodb:*
                  Resource: !GetAtt NotesTable.Arn
        custom: ${file(./custom.yml)}
        functions:
          worker:
            handler: src/worker.handler
            memorySize: ${self:custom.memory.${sls:stage}}
            events:
              - sqs:
                  arn: !GetAtt Queue.Arn
        resources:
          Resources:
            NotesTable:
              Type: AWS::DynamoDB::Table
              Properties:
                TableName: ${self:provider.environment.TABLE_NAME}
            Queue:
              Type: AWS::SQS::Queue
              Properties:
                QueueName: !Sub "${AWS::StackName}-${self:custom.queue}"
        """,
    )
    write(tmp_path, "settings.json", '{"region": "eu-west-1"}')
    write(tmp_path, "custom.yml", "memory:\n  prod: 1024\n  dev: 256\nqueue: jobs\n")
    write(tmp_path, "build.js", "exports.id = async ({ options }) => `b-${options.stage}`\n")
    sources = VariableSources(
        root=tmp_path, options={"stage": "prod"}, account_id=lambda: "123456789012"
    )
    service = project.load(tmp_path, {"stage": "prod"}, sources)
    assert (service.name, service.stage, service.region) == ("notes", "prod", "eu-west-1")
    assert service.stack_name == "notes-prod"
    assert service.provider["environment"] == {
        "TABLE_NAME": "notes-prod-notes",
        "QUEUE_ARN": "arn:aws:sqs:eu-west-1:123456789012:jobs",
        "BUILD": "b-prod",
    }
    assert service.functions["worker"]["memorySize"] == 1024
    assert service.functions["worker"]["events"][0]["sqs"]["arn"] == {
        "Fn::GetAtt": ["Queue", "Arn"]
    }
    resources = service.config["resources"]["Resources"]
    assert resources["NotesTable"]["Properties"]["TableName"] == "notes-prod-notes"
    assert resources["Queue"]["Properties"]["QueueName"] == {"Fn::Sub": "${AWS::StackName}-jobs"}
