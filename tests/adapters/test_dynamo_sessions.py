"""The DynamoDB tables' connections share one botocore loader, so the service model is parsed once per process."""

from faultmaven.adapters.dynamo.base import _bound
from faultmaven.container import Container


def test_every_table_connection_shares_one_service_model_loader(aws_container: Container) -> None:
    loaders = {id(model._get_connection().connection.session.get_component("data_loader"))
               for model in _bound.values()}
    assert len(_bound) >= 10
    assert len(loaders) == 1
