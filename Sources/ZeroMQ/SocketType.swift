import CZMQ

/// The socket patterns this binding exposes.
public enum SocketType: Sendable {
    case router, dealer, req, rep, pub, sub, push, pull, pair, xpub, xsub

    var rawValue: Int32 {
        switch self {
        case .router: return ZMQ_ROUTER
        case .dealer: return ZMQ_DEALER
        case .req: return ZMQ_REQ
        case .rep: return ZMQ_REP
        case .pub: return ZMQ_PUB
        case .sub: return ZMQ_SUB
        case .push: return ZMQ_PUSH
        case .pull: return ZMQ_PULL
        case .pair: return ZMQ_PAIR
        case .xpub: return ZMQ_XPUB
        case .xsub: return ZMQ_XSUB
        }
    }
}
