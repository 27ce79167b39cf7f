// The reference peer of ops/bench/rpc: ledgerbridge.v1.DiagnosticsService/Ping
// (echoes `bytes payload`) served by Debian's gRPC C++ library (libgrpc++-dev), the
// way a plain production C++ gRPC server would be written.
//
//   reference_server [--port N] [--mode callback|sync]
//
// --port 0 (the default) picks a free port; the server prints
//   reference_server: ready on 127.0.0.1:PORT (mode ..., grpc ...)
// on stdout once it listens, and stops on SIGTERM or SIGINT.
//
// Modes (both use the library's defaults: default ResourceQuota, no thread limits):
//   callback  the callback API (DiagnosticsService::CallbackService + ServerUnaryReactor),
//             which gRPC recommends for new C++ servers: handlers run inline on the
//             library's own event-engine/executor threads, which it sizes itself.
//   sync      the synchronous API (DiagnosticsService::Service): the library's dynamic
//             thread pool with its default SyncServerSettings (1 completion queue,
//             1..2 polling threads; handler threads added as needed, no ResourceQuota cap).
// Built at bench time by ops/bench/rpc/run from the C++ code that protoc and
// grpc_cpp_plugin generate from proto/ledgerbridge/v1/diagnostics.proto.
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>

#include <pthread.h>

#include <grpcpp/grpcpp.h>

#include "ledgerbridge/v1/diagnostics.grpc.pb.h"

namespace {

using ledgerbridge::v1::DiagnosticsService;
using ledgerbridge::v1::PingRequest;
using ledgerbridge::v1::PingResponse;

class CallbackPing final : public DiagnosticsService::CallbackService {
  grpc::ServerUnaryReactor* Ping(grpc::CallbackServerContext* context, const PingRequest* request,
                                 PingResponse* response) override {
    response->set_payload(request->payload());
    grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
    reactor->Finish(grpc::Status::OK);
    return reactor;
  }
};

class SyncPing final : public DiagnosticsService::Service {
  grpc::Status Ping(grpc::ServerContext*, const PingRequest* request, PingResponse* response) override {
    response->set_payload(request->payload());
    return grpc::Status::OK;
  }
};

[[noreturn]] void usage(const char* message) {
  std::fprintf(stderr, "reference_server: %s\nusage: reference_server [--port N] [--mode callback|sync]\n", message);
  std::exit(2);
}

}  // namespace

int main(int argc, char** argv) {
  int port = 0;
  std::string mode = "callback";
  for (int i = 1; i < argc; i++) {
    if (std::strcmp(argv[i], "--port") == 0 && i + 1 < argc) {
      char* end = nullptr;
      long value = std::strtol(argv[++i], &end, 10);
      if (*end != '\0' || value < 0 || value > 65535) usage("--port must be 0..65535");
      port = static_cast<int>(value);
    } else if (std::strcmp(argv[i], "--mode") == 0 && i + 1 < argc) {
      mode = argv[++i];
      if (mode != "callback" && mode != "sync") usage("--mode must be callback or sync");
    } else {
      usage("unknown argument");
    }
  }

  // Block the stop signals in every thread (the library's threads inherit this mask);
  // the main thread takes them with sigwait.
  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGTERM);
  sigaddset(&stop, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop, nullptr);

  CallbackPing callback_service;
  SyncPing sync_service;
  grpc::ServerBuilder builder;
  int selected_port = 0;
  builder.AddListeningPort("127.0.0.1:" + std::to_string(port), grpc::InsecureServerCredentials(), &selected_port);
  if (mode == "callback") {
    builder.RegisterService(&callback_service);
  } else {
    builder.RegisterService(&sync_service);
  }
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (!server || selected_port == 0) {
    std::fprintf(stderr, "reference_server: cannot listen on 127.0.0.1:%d\n", port);
    return 1;
  }
  std::printf("reference_server: ready on 127.0.0.1:%d (mode %s, grpc %s)\n", selected_port, mode.c_str(),
              grpc::Version().c_str());
  std::fflush(stdout);

  int signal_number = 0;
  sigwait(&stop, &signal_number);
  server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(2));
  server->Wait();
  return 0;
}
