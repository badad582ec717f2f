"""layers.py: `layers:` and serverless-python-requirements' requirements layer."""

from __future__ import annotations

from pathlib import Path

from overcast.deploy.serverless import template

from .compiling import artifacts, compile, service


def test_a_layer_its_permission_and_outputs(tmp_path: Path):
    layers = {
        "common": {
            "path": "layer",
            "description": "shared",
            "compatibleRuntimes": ["python3.12"],
            "allowedAccounts": ["*"],
        }
    }
    functions = {"h": {"handler": "a.b", "layers": [{"Ref": "CommonLambdaLayer"}]}}
    compiled, _ = compile(tmp_path, functions, layers=layers)
    layer = compiled["Resources"]["CommonLambdaLayer"]
    assert layer["Type"] == "AWS::Lambda::LayerVersion"
    assert layer["Properties"] == {
        "Content": str(tmp_path / "common.zip"),
        "LayerName": "common",
        "Description": "shared",
        "CompatibleRuntimes": ["python3.12"],
    }
    permission = compiled["Resources"]["CommonWildLambdaLayerPermission"]["Properties"]
    assert permission == {
        "Action": "lambda:GetLayerVersion",
        "LayerVersionArn": {"Ref": "CommonLambdaLayer"},
        "Principal": "*",
    }
    assert compiled["Outputs"]["CommonLambdaLayerQualifiedArn"]["Value"] == {
        "Ref": "CommonLambdaLayer"
    }
    assert len(compiled["Outputs"]["CommonLambdaLayerHash"]["Value"]) == 40
    function = compiled["Resources"]["HLambdaFunction"]["Properties"]
    assert function["Layers"] == [{"Ref": "CommonLambdaLayer"}]


def test_a_retained_layer_gets_a_new_id_per_content(tmp_path: Path):
    compiled, _ = compile(tmp_path, layers={"common": {"path": "l", "retain": True}})
    ids = [k for k in compiled["Resources"] if k.startswith("CommonLambdaLayer")]
    assert len(ids) == 1 and len(ids[0]) == len("CommonLambdaLayer") + 40
    assert compiled["Resources"][ids[0]]["DeletionPolicy"] == "Retain"


def test_the_python_requirements_layer(tmp_path: Path):
    project = service(tmp_path, {"h": {"handler": "a.b"}})
    built = artifacts(project)
    built.requirements_layer = tmp_path / "requirements.zip"
    built.requirements_layer.write_bytes(b"deps")
    compiled, _ = template.compile(project, built)
    layer = compiled["Resources"]["PythonRequirementsLambdaLayer"]["Properties"]
    assert layer["LayerName"] == "notes-dev-python-requirements"
    assert layer["CompatibleRuntimes"] == ["python3.12"]
    assert layer["Content"] == str(built.requirements_layer)
