import Foundation
import Postgres
import RPC
import RPCMessages
import Scheduler
import Storage

/// `ledgerbridge.v1.AdminService`: the job queue and the worker pools, for operators only.
public struct AdminService: Sendable {
    public static let name = "ledgerbridge.v1.AdminService"

    let queue: JobQueue
    /// The kinds this server runs: what EnqueueJob accepts.
    let kinds: Set<String>

    public init(queue: JobQueue, kinds: [String]) {
        self.queue = queue
        self.kinds = Set(kinds)
    }

    public func register(in registry: inout MethodRegistry) {
        registry.unary("/\(Self.name)/ListJobs") { (request: Ledgerbridge_V1_ListJobsRequest, _) in
            try Principal.requireOperator("list jobs")
            var filter = JobQueue.JobFilter()
            for (index, state) in request.states.enumerated() {
                guard let known = Self.state(state) else { throw RPCError.invalidField("states[\(index)]", "must be a job state") }
                filter.states.append(known)
            }
            if !request.tenantID.isEmpty { filter.tenant = try TenantService.tenantID(request.tenantID) }
            if !request.kind.isEmpty { filter.kind = request.kind }
            guard request.pageSize >= 0 else { throw RPCError.invalidField("page_size", "must not be negative") }
            filter.limit = request.pageSize == 0 ? 100 : min(Int(request.pageSize), 1000)
            if !request.pageToken.isEmpty {
                guard let before = Int64(request.pageToken), before > 0 else { throw RPCError.invalidField("page_token", "is not a token this server issued") }
                filter.before = before
            }
            let jobs = try await queue.list(filter)
            var response = Ledgerbridge_V1_ListJobsResponse()
            response.jobs = jobs.map(Self.message)
            if jobs.count == filter.limit, let last = jobs.last { response.nextPageToken = String(last.id) }
            return response
        }
        registry.unary("/\(Self.name)/RetryJob") { (request: Ledgerbridge_V1_RetryJobRequest, _) in
            try Principal.requireOperator("retry jobs")
            var response = Ledgerbridge_V1_RetryJobResponse()
            do {
                response.job = Self.message(try await queue.retry(job: request.jobID))
            } catch let error as JobQueue.ControlError {
                throw Self.rpcError(error)
            }
            return response
        }
        registry.unary("/\(Self.name)/CancelJob") { (request: Ledgerbridge_V1_CancelJobRequest, _) in
            try Principal.requireOperator("cancel jobs")
            do {
                _ = try await queue.cancel(job: request.jobID, reason: "cancelled by an operator")
            } catch let error as JobQueue.ControlError {
                throw Self.rpcError(error)
            }
            guard let job = try await queue.job(request.jobID) else { throw RPCError(.notFound, "no job \(request.jobID)") }
            var response = Ledgerbridge_V1_CancelJobResponse()
            response.job = Self.message(job)
            return response
        }
        registry.unary("/\(Self.name)/GetWorkerPoolStats") { (_: Ledgerbridge_V1_GetWorkerPoolStatsRequest, _) in
            try Principal.requireOperator("read worker pool statistics")
            let stats = try await queue.statistics()
            var response = Ledgerbridge_V1_GetWorkerPoolStatsResponse()
            response.processes = stats.processes.map { process in
                var message = Ledgerbridge_V1_WorkerProcess()
                message.workerID = process.worker.lowercaseText
                message.host = process.host
                message.pid = Int32(clamping: process.pid)
                message.startedAt = timestamp(process.startedAt)
                message.lastHeartbeatAt = timestamp(process.beatAt)
                message.leaseExpiresAt = timestamp(process.leaseExpiresAt)
                message.draining = process.draining
                message.workers = Int32(clamping: process.workers)
                message.busy = Int32(clamping: process.busy)
                message.jobsClaimed = process.claimedTotal
                message.jobsClaimedPerSecond = process.claimedPerSecond
                return message
            }
            response.queueDepth = JobState.allCases.map { state in
                var count = Ledgerbridge_V1_JobStateCount()
                count.state = Self.message(state)
                count.count = Int64(stats.depthByState[state] ?? 0)
                return count
            }
            response.oldestAvailableAgeSeconds = stats.oldestAvailableAge
            return response
        }
        registry.unary("/\(Self.name)/EnqueueJob") { (request: Ledgerbridge_V1_EnqueueJobRequest, _) in
            try Principal.requireOperator("enqueue jobs")
            let tenant = try TenantService.tenantID(request.tenantID)
            guard kinds.contains(request.kind) else {
                throw RPCError.invalidField("kind", "this server runs \(kinds.sorted().joined(separator: ", ")); not \(request.kind)")
            }
            let args = request.argsJson.isEmpty ? "{}" : request.argsJson
            guard (try? JSONSerialization.jsonObject(with: Data(args.utf8))) is [String: Any] else {
                throw RPCError.invalidField("args_json", "must be a JSON object")
            }
            let priority = request.priority == 0 ? 2 : Int(request.priority)
            guard (1...4).contains(priority) else { throw RPCError.invalidField("priority", "must be from 1 to 4") }
            let attempts = request.maxAttempts == 0 ? 10 : Int(request.maxAttempts)
            guard (1...100).contains(attempts) else { throw RPCError.invalidField("max_attempts", "must be from 1 to 100") }
            let timeout = request.timeoutSeconds == 0 ? 1800 : Int(request.timeoutSeconds)
            guard (1...86_400).contains(timeout) else { throw RPCError.invalidField("timeout_seconds", "must be from 1 to 86400") }
            guard request.delaySeconds >= 0, request.delaySeconds <= 30 * 86_400 else { throw RPCError.invalidField("delay_seconds", "must be from 0 to 30 days") }
            guard request.uniqueKey.count <= 200 else { throw RPCError.invalidField("unique_key", "must be at most 200 characters") }
            let job = NewJob(tenantID: tenant, kind: request.kind, exclusive: request.exclusive, priority: priority, argsJSON: args,
                             runID: SyncJob.kinds[request.kind] != nil ? UUID() : nil, uniqueKey: request.uniqueKey.isEmpty ? nil : request.uniqueKey,
                             maxAttempts: attempts, timeoutSeconds: timeout,
                             runAt: request.delaySeconds > 0 ? Date().addingTimeInterval(request.delaySeconds) : nil)
            let enqueued: EnqueuedJob
            do {
                enqueued = try await queue.enqueue(job)
            } catch let error as PostgresError where error.isForeignKeyViolation {
                throw RPCError(.notFound, "no tenant \(tenant.lowercaseText)")
            }
            var response = Ledgerbridge_V1_EnqueueJobResponse()
            response.jobID = enqueued.id
            response.inserted = enqueued.inserted
            return response
        }
    }

    static func rpcError(_ error: JobQueue.ControlError) -> RPCError {
        switch error {
        case .noSuchJob: RPCError(.notFound, error.description)
        case .notRetryable, .alreadyFinished, .duplicatePending: RPCError(.failedPrecondition, error.description)
        }
    }

    /// Each queue state and its wire name: one table for both directions.
    static let stateMessages: [JobState: Ledgerbridge_V1_JobState] = [
        .available: .available, .scheduled: .scheduled, .running: .running, .succeeded: .succeeded,
        .retryable: .retryable, .discarded: .discarded, .cancelled: .cancelled,
    ]

    static func state(_ state: Ledgerbridge_V1_JobState) -> JobState? {
        stateMessages.first { $0.value == state }?.key
    }

    static func message(_ state: JobState) -> Ledgerbridge_V1_JobState {
        stateMessages[state] ?? .unspecified
    }

    static func message(_ job: JobRecord) -> Ledgerbridge_V1_Job {
        var message = Ledgerbridge_V1_Job()
        message.id = job.id
        message.tenantID = job.tenantID.lowercaseText
        message.kind = job.kind
        message.state = Self.message(job.state)
        message.priority = Int32(job.priority)
        message.argsJson = job.argsJSON
        message.runID = job.runID?.lowercaseText ?? ""
        message.attempt = Int32(clamping: job.attempt)
        message.maxAttempts = Int32(clamping: job.maxAttempts)
        message.runAt = timestamp(job.runAt)
        message.createdAt = timestamp(job.createdAt)
        if let at = job.attemptedAt { message.attemptedAt = timestamp(at) }
        if let at = job.finishedAt { message.finishedAt = timestamp(at) }
        message.workerID = job.workerID?.lowercaseText ?? ""
        message.cancelRequested = job.cancelRequested
        message.lastError = job.lastError ?? ""
        return message
    }
}
