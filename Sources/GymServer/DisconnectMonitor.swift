import Foundation
import ZeroMQ

/// Tells the socket thread which clients' connections closed, so their environments are
/// reclaimed at once rather than by the idle timer.
///
/// libzmq's socket monitor reports a closed connection by its file descriptor, and each received
/// message says which descriptor it came on; this keeps the map between the two. (The ROUTER
/// notification option that would report routing ids directly is a draft API that Debian's
/// libzmq 4.3 does not enable.) A descriptor is reused only after its connection closed, so a new
/// client seen on a mapped descriptor means the old one is gone even before its event arrives.
/// Over `inproc://` there are no descriptors and no events: the idle timer alone applies.
final class DisconnectMonitor {
    /// The PAIR socket the events arrive on, for the socket thread's poller.
    let socket: Socket
    private var clientOn: [Int32: ClientID] = [:]
    private var descriptorOf: [ClientID: Int32] = [:]
    /// Disconnect events still to come for descriptors whose client was already found gone.
    private var pendingEvents: [Int32: Int] = [:]
    /// Clients found gone lately, whose queued messages must not map them again.
    private var recentlyGone: Set<ClientID> = []
    private var goneOrder: [ClientID] = []
    private static let rememberedGone = 4096

    /// Starts monitoring `router`, whose context must be `context`.
    init(watching router: Socket, context: Context) throws {
        let endpoint = "inproc://gym-daemon-monitor-\(UInt64.random(in: 0...UInt64.max))"
        try router.monitorConnections(on: endpoint)
        socket = try Socket(context, .pair)
        // Unbounded: libzmq's monitor blocks its I/O thread on a full reader, and the socket
        // thread reads every event as it polls.
        try socket.setReceiveHighWaterMark(0)
        try socket.connect(endpoint)
    }

    /// Notes that a message from `client` came on `descriptor`; returns the clients found gone:
    /// those whose disconnect events were waiting, and one whose descriptor now belongs to another.
    ///
    /// libzmq reports a disconnect before it closes the descriptor, so before the number can be
    /// reused: when a client first shows up on a descriptor, the events of connections that closed
    /// there before it are already queued. They are read first, so that none of them (a port
    /// probe's, a client's that quit) is taken for the new client's own.
    func saw(_ client: ClientID, on descriptor: Int32) -> [ClientID] {
        guard descriptor >= 0, !recentlyGone.contains(client), clientOn[descriptor] != client else { return [] }
        var gone = drain()
        guard !recentlyGone.contains(client) else { return gone }
        let previous = clientOn[descriptor]
        if let old = descriptorOf[client], old != descriptor, clientOn[old] == client { clientOn[old] = nil }
        clientOn[descriptor] = client
        descriptorOf[client] = descriptor
        guard let previous else { return gone }
        pendingEvents[descriptor, default: 0] += 1
        markGone(previous)
        gone.append(previous)
        return gone
    }

    /// Whether `client` was last seen on a connection that has not closed (as far as the events
    /// read so far tell).
    func isConnected(_ client: ClientID) -> Bool {
        guard let descriptor = descriptorOf[client] else { return false }
        return clientOn[descriptor] == client
    }

    /// Reads every waiting event; returns the clients whose connection closed.
    func drain() -> [ClientID] {
        var gone: [ClientID] = []
        while let frames = try? socket.receiveMessage(dontWait: true) {
            guard let event = SocketEvent(frames: frames), event.kind == .disconnected else { continue }
            if let pending = pendingEvents[event.descriptor] {
                pendingEvents[event.descriptor] = pending > 1 ? pending - 1 : nil
                continue
            }
            guard let client = clientOn.removeValue(forKey: event.descriptor) else { continue }
            markGone(client)
            gone.append(client)
        }
        return gone
    }

    /// Stops monitoring `router` (on its socket's thread), then closes the reader.
    func close(stopping router: Socket) {
        router.stopMonitoring()
        _ = drain()
        socket.close()
    }

    private func markGone(_ client: ClientID) {
        if descriptorOf[client].map({ clientOn[$0] == client }) == true, let descriptor = descriptorOf[client] {
            clientOn[descriptor] = nil
        }
        descriptorOf[client] = nil
        guard recentlyGone.insert(client).inserted else { return }
        goneOrder.append(client)
        if goneOrder.count > Self.rememberedGone {
            recentlyGone.remove(goneOrder.removeFirst())
        }
    }
}
