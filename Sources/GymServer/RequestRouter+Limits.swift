import GymCore
import GymProtocol

/// The router's bounds beside the per-client quota: environments and clients across the daemon,
/// requests in flight per client, and the bookkeeping of quarantined and forgotten clients.
extension RequestRouter {
    /// Throws QUOTA_EXCEEDED when `count` more environments for `client` would pass the daemon's
    /// global bounds.
    func checkGlobalLimits(adding count: Int, for client: ClientID) throws {
        let total = table.totalEnvs
        guard count <= configuration.maxEnvs - total else {
            throw GymError(.quotaExceeded,
                "making \(count) env(s) would take this daemon to \(total + count), over its limit of \(configuration.maxEnvs) (--max-envs)")
        }
        if table.envCount(of: client) == 0 && table.clientCount >= configuration.maxClients {
            throw GymError(.quotaExceeded,
                "this daemon already serves \(table.clientCount) clients holding environments, its limit (--max-clients)")
        }
    }

    /// Throws QUOTA_EXCEEDED when `client` already has its most requests queued or running.
    func checkInFlight(of client: ClientID) throws {
        let queued = inFlight[client] ?? 0
        guard queued < configuration.maxInFlightPerClient else {
            throw GymError(.quotaExceeded,
                "this client has \(queued) requests queued or running, the most a client may have; read the replies first")
        }
    }

    /// A reply to `client` for a dispatched job left the daemon (or was answered for it).
    func landed(_ client: ClientID) {
        guard let queued = inFlight[client] else { return }
        inFlight[client] = queued > 1 ? queued - 1 : nil
    }

    /// Forgets `client`, returning the close jobs (without replies) for the handles it held.
    func forget(_ client: ClientID) -> [(worker: Int, job: Job)] {
        lastSeen[client] = nil
        descriptions[client] = nil
        var jobs: [(worker: Int, job: Job)] = []
        for handle in table.handles(of: client) {
            guard let entry = table.remove(handle) else { continue }
            if quarantined.removeValue(forKey: handle) != nil { continue }
            jobs.append((entry.worker, Job(handle: handle, requestID: 0, replyTo: nil, kind: .close(reply: false))))
        }
        return jobs
    }

    /// Marks `handle` cut off by the watchdog after `seconds`; returns the error its stuck job
    /// gets. Later requests on the handle get INTERNAL with the reason; a close releases it.
    func quarantine(_ handle: UInt64, after seconds: Double) -> GymError {
        let env = table.entries[handle].map { "\($0.envID) " } ?? ""
        let limit = "\(seconds) s"
        guard table.entries[handle] != nil else {
            return GymError(.timedOut, "closing handle \(handle) took over \(limit) (--step-timeout); its environment was abandoned")
        }
        quarantined[handle] = "handle \(handle) is quarantined: its environment \(env)did not finish a job within \(limit) (--step-timeout); close it and make another"
        return GymError(.timedOut, "\(env)handle \(handle) did not finish within \(limit) (--step-timeout): the environment is quarantined and its worker moved on")
    }

    /// The reply to closing a quarantined handle (the environment is gone already), or nil for a
    /// handle that is not quarantined.
    func closeQuarantined(_ handle: UInt64, id: UInt64, from address: ReplyAddress) -> Action? {
        guard quarantined[handle] != nil, table.entries[handle]?.owner == address.client else { return nil }
        quarantined[handle] = nil
        table.remove(handle)
        return .reply(address, .with { $0.id = id; $0.close = Gym_V1_CloseReply() })
    }
}

extension Gym_V1_Request {
    /// Whether the daemon hands this request to a worker (and so counts it in flight).
    var runsOnAWorker: Bool {
        switch body {
        case .make, .reset, .step, .render, .close: return true
        case .hello, .listEnvs, nil: return false
        }
    }
}
