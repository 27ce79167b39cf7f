"""gRPC server reflection, checked with grpcio-reflection's own client (v1alpha,
what grpcurl and most tools call) and with stubs for v1 generated from proto/."""

from __future__ import annotations

import re
import signal
import sys
from pathlib import Path

import grpc
import pytest

from conftest import READY_TIMEOUT, ROOT_DIR, SHUTDOWN_TIMEOUT

SERVICES = {
    "grpc.health.v1.Health",
    "grpc.reflection.v1.ServerReflection",
    "grpc.reflection.v1alpha.ServerReflection",
    "ledgerbridge.v1.DiagnosticsService",
    "ledgerbridge.v1.ConnectionService",
    "ledgerbridge.v1.TenantService",
    "ledgerbridge.v1.SyncService",
    "ledgerbridge.v1.AdminService",
}


@pytest.fixture(scope="module")
def server(cli, env):
    with cli.serve(env.app_url, env.migrations_dir, env={"LEDGERBRIDGE_ADMIN_TOKEN": "reflection-test-token"}) as process:
        line = process.wait_for_line("ledgerbridge serve: ready", READY_TIMEOUT)
        assert line, f"serve did not become ready:\n{process.explain()}"
        yield int(re.search(r"http://127\.0\.0\.1:(\d+)", line).group(1))
        assert process.stop(signal.SIGTERM, SHUTDOWN_TIMEOUT) == 0


@pytest.fixture
def channel(server):
    with grpc.insecure_channel(f"127.0.0.1:{server}") as ch:
        yield ch


def test_a_tool_needs_no_proto_files_to_call_ping(channel):
    """What grpcurl does: list, resolve the method's types from the server, call it."""
    from google.protobuf import descriptor_pool, message_factory
    from grpc_reflection.v1alpha.proto_reflection_descriptor_database import ProtoReflectionDescriptorDatabase

    database = ProtoReflectionDescriptorDatabase(channel)
    assert set(database.get_services()) == SERVICES
    pool = descriptor_pool.DescriptorPool(database)
    service = pool.FindServiceByName("ledgerbridge.v1.DiagnosticsService")
    method = service.FindMethodByName("Ping")
    request_class = message_factory.GetMessageClass(method.input_type)
    response_class = message_factory.GetMessageClass(method.output_type)
    call = channel.unary_unary("/ledgerbridge.v1.DiagnosticsService/Ping",
                               request_serializer=request_class.SerializeToString,
                               response_deserializer=response_class.FromString)
    assert call(request_class(payload=b"reflected"), timeout=10).payload == b"reflected"
    # Types from imports resolve too (tenants.proto imports timestamp.proto).
    tenant = pool.FindMessageTypeByName("ledgerbridge.v1.Tenant")
    assert tenant.fields_by_name["created_at"].message_type.full_name == "google.protobuf.Timestamp"


def test_unknown_symbols_are_not_found(channel):
    from grpc_reflection.v1alpha.proto_reflection_descriptor_database import ProtoReflectionDescriptorDatabase

    database = ProtoReflectionDescriptorDatabase(channel)
    with pytest.raises(KeyError):
        database.FindFileContainingSymbol("no.such.Service")


@pytest.fixture(scope="module")
def v1(tmp_path_factory):
    """Stubs for grpc.reflection.v1 from proto/ (compiled under another directory
    name so they do not shadow grpcio's own `grpc` package)."""
    from grpc_tools import protoc

    out = tmp_path_factory.mktemp("reflection")
    (out / "lbreflection").mkdir()
    (out / "lbreflection" / "reflection.proto").write_text((ROOT_DIR / "proto/grpc/reflection/v1/reflection.proto").read_text())
    assert protoc.main(["protoc", f"-I{out}", f"--python_out={out}", f"--grpc_python_out={out}", "lbreflection/reflection.proto"]) == 0
    sys.path.insert(0, str(out))
    from lbreflection import reflection_pb2, reflection_pb2_grpc
    return reflection_pb2, reflection_pb2_grpc


def test_v1_answers_several_questions_on_one_stream(channel, v1):
    from google.protobuf import descriptor_pb2

    pb2, pb2_grpc = v1
    stub = pb2_grpc.ServerReflectionStub(channel)
    requests = [
        pb2.ServerReflectionRequest(list_services=""),
        pb2.ServerReflectionRequest(file_containing_symbol="ledgerbridge.v1.TenantService.CreateTenant"),
        pb2.ServerReflectionRequest(file_by_filename="ledgerbridge/v1/tenants.proto"),
        pb2.ServerReflectionRequest(file_containing_symbol="no.such.Symbol"),
    ]
    responses = list(stub.ServerReflectionInfo(iter(requests), timeout=10))
    assert len(responses) == 4
    assert {s.name for s in responses[0].list_services_response.service} == SERVICES
    files = [descriptor_pb2.FileDescriptorProto.FromString(b).name for b in responses[1].file_descriptor_response.file_descriptor_proto]
    assert files[0] == "ledgerbridge/v1/tenants.proto" and "google/protobuf/timestamp.proto" in files
    # The asked-for file again, but not the imports this stream already sent.
    again = [descriptor_pb2.FileDescriptorProto.FromString(b).name for b in responses[2].file_descriptor_response.file_descriptor_proto]
    assert again == ["ledgerbridge/v1/tenants.proto"]
    assert responses[3].error_response.error_code == grpc.StatusCode.NOT_FOUND.value[0]
    assert responses[3].original_request.file_containing_symbol == "no.such.Symbol"
