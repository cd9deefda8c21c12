"""The emulation's moto server under writes from several threads at once, as the app's tracker,
counters and a seeding script make them. moto's TransactWriteItems deep-copies every table to
roll back, while another request's write changed one under it: "dictionary changed size during
iteration", the write lost, and an emulation left running grew to 22 GB and stopped answering."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import boto3

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
