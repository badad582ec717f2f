"""The concurrency operations on the wire, in-process, with a RecordingCapacity as the engine."""

from __future__ import annotations

from api_harness import App, create_body

from overcast.types import ProvisionedStatus

ARN = "arn:aws:lambda:us-east-1:000000000000:function:f"
RESERVED = "/2017-10-31/functions/f/concurrency"
PROVISIONED = "/2019-09-30/functions/f/provisioned-concurrency"


def publish(app: App) -> None:
    assert app.client.post("/2015-03-31/functions", json=create_body()).status_code == 201
    assert app.client.post("/2015-03-31/functions/f/versions", json={}).status_code == 201


def test_reserved_concurrency_on_the_wire(app: App) -> None:
    publish(app)
    assert app.client.get("/2019-09-30/functions/f/concurrency").json() == {}
    put = app.client.put(RESERVED, json={"ReservedConcurrentExecutions": 10})
    assert put.status_code == 200 and put.json() == {"ReservedConcurrentExecutions": 10}
    got = app.client.get("/2019-09-30/functions/f/concurrency").json()
    assert got == {"ReservedConcurrentExecutions": 10}
    function = app.client.get("/2015-03-31/functions/f").json()
    assert function["Concurrency"] == {"ReservedConcurrentExecutions": 10}
    limits = app.client.get("/2016-08-19/account-settings").json()["AccountLimit"]
    assert limits["UnreservedConcurrentExecutions"] == 990
    assert app.client.delete(RESERVED).status_code == 204
    assert "Concurrency" not in app.client.get("/2015-03-31/functions/f").json()


def test_reservation_below_the_floor_on_the_wire(app: App) -> None:
    publish(app)
    response = app.client.put(RESERVED, json={"ReservedConcurrentExecutions": 901})
    assert response.status_code == 400
    assert response.headers["x-amzn-ErrorType"] == "InvalidParameterValueException"
    assert response.json() == {  # lowercase `message`, as Lambda's model and answers have it
        "Type": "User",
        "message": "Specified ReservedConcurrentExecutions for function decreases account's "
        "UnreservedConcurrentExecution below its minimum value of [100].",
    }


def test_provisioned_concurrency_on_the_wire(app: App) -> None:
    publish(app)
    put = app.client.put(f"{PROVISIONED}?Qualifier=1", json={"ProvisionedConcurrentExecutions": 2})
    assert put.status_code == 202
    body = put.json()
    assert body["Status"] == "IN_PROGRESS" and body["RequestedProvisionedConcurrentExecutions"] == 2
    assert body["LastModified"].endswith("+0000")
    assert app.capacity.calls == [("provision", f"{ARN}:1", "1", 2)]
    app.capacity.statuses[f"{ARN}:1"] = ProvisionedStatus(2, 2, 1, "READY")
    got = app.client.get(f"{PROVISIONED}?Qualifier=1").json()
    assert got == {
        "RequestedProvisionedConcurrentExecutions": 2,
        "AvailableProvisionedConcurrentExecutions": 1,
        "AllocatedProvisionedConcurrentExecutions": 2,
        "Status": "READY",
        "LastModified": body["LastModified"],
    }
    listed = app.client.get(f"{PROVISIONED}?List=ALL").json()
    assert listed == {"ProvisionedConcurrencyConfigs": [{"FunctionArn": f"{ARN}:1", **got}]}
    assert app.client.delete(f"{PROVISIONED}?Qualifier=1").status_code == 204
    assert app.capacity.calls[-1] == ("unprovision", f"{ARN}:1")
    missing = app.client.get(f"{PROVISIONED}?Qualifier=1")
    assert missing.status_code == 404
    assert missing.headers["x-amzn-ErrorType"] == "ProvisionedConcurrencyConfigNotFoundException"


def test_provisioned_concurrency_needs_a_qualifier(app: App) -> None:
    publish(app)
    response = app.client.put(PROVISIONED, json={"ProvisionedConcurrentExecutions": 2})
    assert response.headers["x-amzn-ErrorType"] == "ValidationException"
    assert "'qualifier'" in response.json()["message"]


def test_snap_start_and_vpc_config_on_the_wire(app: App) -> None:
    body = create_body(
        SnapStart={"ApplyOn": "PublishedVersions"},
        VpcConfig={"SubnetIds": ["subnet-a"], "SecurityGroupIds": ["sg-a"]},
    )
    created = app.client.post("/2015-03-31/functions", json=body).json()
    assert created["SnapStart"] == {"ApplyOn": "PublishedVersions", "OptimizationStatus": "Off"}
    assert created["VpcConfig"] == {
        "SubnetIds": ["subnet-a"],
        "SecurityGroupIds": ["sg-a"],
        "VpcId": "vpc-overcast",
    }
    version = app.client.post("/2015-03-31/functions/f/versions", json={}).json()
    assert version["SnapStart"] == {"ApplyOn": "PublishedVersions", "OptimizationStatus": "On"}
    assert app.capacity.calls == [("prepare_snapshot", "1")]
    view = app.control.resolve("us-east-1", "f", "1").function
    assert (view.snap_start, view.network) == (True, False)
    bad = app.client.put(
        "/2015-03-31/functions/f/configuration", json={"SnapStart": {"ApplyOn": "Always"}}
    )
    assert bad.headers["x-amzn-ErrorType"] == "ValidationException"
