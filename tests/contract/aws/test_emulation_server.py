"""The emulation's moto server under writes from several threads at once, as the app's tracker,
counters and a seeding script make them. moto's TransactWriteItems deep-copies every table to
roll back, while another request's write changed one under it: "dictionary changed size during
iteration", the write lost, and an emulation left running grew to 22 GB and stopped answering.
The emulation's transactions copy only the items they write, and moto keeps no copies."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from moto.core.model_instances import model_data

from tests.contract.aws_backends import aws_environment, moto_server

THREADS, WRITES = 8, 25


def test_transactions_from_many_threads_all_land() -> None:
    with aws_environment(), moto_server() as endpoint:
        dynamodb = boto3.client("dynamodb", endpoint_url=endpoint, region_name="us-east-1")
        dynamodb.create_table(
            TableName="t", BillingMode="PAY_PER_REQUEST",
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}])

        def writes(thread: int) -> int:
            client = boto3.client("dynamodb", endpoint_url=endpoint, region_name="us-east-1")
            for n in range(WRITES):
                client.transact_write_items(TransactItems=[
                    {"Put": {"TableName": "t", "Item": {"pk": {"S": f"{thread}-{n}-{i}"},
                                                        "pad": {"S": "x" * 200}}}}
                    for i in range(4)])
            return WRITES

        with ThreadPoolExecutor(THREADS) as pool:
            assert sum(pool.map(writes, range(THREADS))) == THREADS * WRITES
        count = dynamodb.scan(TableName="t", Select="COUNT")["Count"]
        assert count == THREADS * WRITES * 4


def _table(dynamodb: Any, name: str) -> None:
    dynamodb.create_table(
        TableName=name, BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                              {"AttributeName": "sk", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"},
                   {"AttributeName": "sk", "KeyType": "RANGE"}])


def _items(dynamodb: Any, name: str) -> list[dict[str, Any]]:
    found = dynamodb.scan(TableName=name)["Items"]
    return sorted(found, key=lambda item: (item["pk"]["S"], item["sk"]["S"]))


def test_a_cancelled_transaction_leaves_every_item_as_it_was() -> None:
    """The emulation copies only the items a transaction names (scripts/emulated_dynamodb.py):
    a cancelled one still leaves nothing behind, on either table it wrote to."""
    with aws_environment(), moto_server() as endpoint:
        dynamodb = boto3.client("dynamodb", endpoint_url=endpoint, region_name="us-east-1")
        for name in ("events", "counters"):
            _table(dynamodb, name)
        dynamodb.put_item(TableName="events", Item={"pk": {"S": "e"}, "sk": {"S": "1"}})
        dynamodb.put_item(TableName="counters",
                          Item={"pk": {"S": "c"}, "sk": {"S": "a"}, "n": {"N": "5"}})
        dynamodb.put_item(TableName="counters", Item={"pk": {"S": "c"}, "sk": {"S": "gone"}})
        before = {name: _items(dynamodb, name) for name in ("events", "counters")}
        with pytest.raises(ClientError) as refused:
            dynamodb.transact_write_items(TransactItems=[
                {"Put": {"TableName": "events", "Item": {"pk": {"S": "e"}, "sk": {"S": "2"}}}},
                {"Update": {"TableName": "counters", "Key": {"pk": {"S": "c"}, "sk": {"S": "a"}},
                            "UpdateExpression": "ADD n :one",
                            "ExpressionAttributeValues": {":one": {"N": "1"}}}},
                {"Update": {"TableName": "counters", "Key": {"pk": {"S": "c"}, "sk": {"S": "b"}},
                            "UpdateExpression": "ADD n :one",
                            "ExpressionAttributeValues": {":one": {"N": "1"}}}},
                {"Delete": {"TableName": "counters",
                            "Key": {"pk": {"S": "c"}, "sk": {"S": "gone"}}}},
                # already there: the whole transaction is cancelled
                {"Put": {"TableName": "events", "Item": {"pk": {"S": "e"}, "sk": {"S": "1"}},
                         "ConditionExpression": "attribute_not_exists(pk)"}},
            ])
        assert refused.value.response["Error"]["Code"] == "TransactionCanceledException"
        assert {name: _items(dynamodb, name) for name in ("events", "counters")} == before

        dynamodb.transact_write_items(TransactItems=[
            {"Put": {"TableName": "events", "Item": {"pk": {"S": "e"}, "sk": {"S": "2"}}}}])
        assert len(_items(dynamodb, "events")) == 2  # one that is not cancelled lands


def test_transactions_do_not_leave_copies_of_the_tables_behind() -> None:
    """moto kept every object it made, table copies included, for a dashboard: seeding 300
    events grew the emulation to 7 GB. After each request it keeps none."""
    with aws_environment(), moto_server() as endpoint:
        dynamodb = boto3.client("dynamodb", endpoint_url=endpoint, region_name="us-east-1")
        _table(dynamodb, "copies")
        for n in range(0, 200, 25):
            dynamodb.batch_write_item(RequestItems={"copies": [
                {"PutRequest": {"Item": {"pk": {"S": "p"}, "sk": {"S": f"{i:04}"}}}}
                for i in range(n, n + 25)]})
        for n in range(20):
            dynamodb.transact_write_items(TransactItems=[
                {"Put": {"TableName": "copies", "Item": {"pk": {"S": "q"}, "sk": {"S": f"{n}"}}}}])
        kept = sum(len(getattr(model, "instances_tracked", []))
                   for model in model_data["dynamodb"].values())
        assert kept == 0
        assert len(_items(dynamodb, "copies")) == 220
