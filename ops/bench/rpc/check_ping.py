"""Checks with a real gRPC client (grpcio) that a server answers
ledgerbridge.v1.DiagnosticsService/Ping correctly: status OK and the payload echoed.
h2load only sees HTTP status 200, and a gRPC error is a 200 with a grpc-status
trailer, so ops/bench/rpc/run calls this once per server before and after the load.

    python check_ping.py --port PORT --stubs DIR [--label NAME]

DIR receives the Python stubs generated from proto/ with grpcio-tools (as
Tests/ExternalClients/test_rpc.py does) the first time. Exits non-zero, with the
reason on stderr, when any call fails or returns the wrong payload.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

ROOT_DIR = Path(__file__).resolve().parents[3]


def generate_stubs(out: Path) -> None:
    marker = out / "ledgerbridge" / "v1" / "diagnostics_pb2_grpc.py"
    proto = ROOT_DIR / "proto" / "ledgerbridge" / "v1" / "diagnostics.proto"
    if marker.exists() and marker.stat().st_mtime >= proto.stat().st_mtime:
        return
    import grpc_tools
    from grpc_tools import protoc

    out.mkdir(parents=True, exist_ok=True)
    include = Path(grpc_tools.__file__).parent / "_proto"
    code = protoc.main(["protoc", f"-I{ROOT_DIR / 'proto'}", f"-I{include}", f"--python_out={out}",
                        f"--grpc_python_out={out}", "ledgerbridge/v1/diagnostics.proto"])
    if code != 0:
        sys.exit("check_ping: protoc (grpcio-tools) failed")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--stubs", type=Path, required=True)
    parser.add_argument("--label", default="server")
    parser.add_argument("--concurrent", type=int, default=200)
    args = parser.parse_args()

    generate_stubs(args.stubs)
    sys.path.insert(0, str(args.stubs))
    import grpc
    from ledgerbridge.v1 import diagnostics_pb2 as pb
    from ledgerbridge.v1 import diagnostics_pb2_grpc as pb_grpc

    def fail(message: str) -> int:
        print(f"check_ping: {args.label}: {message}", file=sys.stderr)
        return 1

    calls = 0
    with grpc.insecure_channel(f"127.0.0.1:{args.port}") as channel:
        try:
            grpc.channel_ready_future(channel).result(timeout=10)
        except grpc.FutureTimeoutError:
            return fail(f"no connection to 127.0.0.1:{args.port} within 10 s")
        stub = pb_grpc.DiagnosticsServiceStub(channel)
        # The benchmark's own payload, an empty one and a larger random one.
        for payload in (b"hi", b"", os.urandom(1000)):
            try:
                response, call = stub.Ping.with_call(pb.PingRequest(payload=payload), timeout=10)
            except grpc.RpcError as error:
                return fail(f"Ping failed: {error.code()} {error.details()}")
            calls += 1
            if call.code() != grpc.StatusCode.OK:
                return fail(f"Ping returned {call.code()}")
            if response.payload != payload:
                return fail(f"Ping echoed {len(response.payload)} bytes instead of the {len(payload)} sent")
        # Many calls in flight at once on one connection, as in the benchmark.
        futures = [stub.Ping.future(pb.PingRequest(payload=b"hi%d" % i), timeout=20) for i in range(args.concurrent)]
        for i, future in enumerate(futures):
            try:
                response = future.result(timeout=30)
            except Exception as error:  # grpc.RpcError or a timeout
                return fail(f"concurrent Ping {i} failed: {error}")
            calls += 1
            if response.payload != b"hi%d" % i:
                return fail(f"concurrent Ping {i} echoed the wrong payload")
    print(f"check_ping: {args.label}: ok ({calls} gRPC calls via grpcio {grpc.__version__}, status OK, payloads echoed)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
