import GymCore
import SwiftProtobuf

/// A request envelope of one of the services (daemon, buffer, parameters): a message with a
/// client-chosen correlation id.
public protocol ServiceRequest: SwiftProtobuf.Message {
    /// The correlation id the reply echoes.
    var id: UInt64 { get set }
}

/// A reply envelope: the echoed id and, on failure, an `Error` instead of a body.
public protocol ServiceResponse: SwiftProtobuf.Message {
    /// The id of the request this answers.
    var id: UInt64 { get set }
    /// The wire error slot.
    var error: Gym_V1_Error { get set }
    /// Whether the error slot is set.
    var hasError: Bool { get }
}

extension ServiceResponse {
    /// The error this reply carries, if it is an error reply.
    public var failure: GymError? {
        guard hasError, error.code != .unspecified else { return nil }
        return GymError(GymError.Code(wire: error.code), error.message)
    }

    /// An error reply to request `id`.
    public static func failure(id: UInt64, _ error: GymError) -> Self {
        var response = Self()
        response.id = id
        response.error = .with { $0.code = error.code.wire; $0.message = WireLimits.clipMessage(error.message) }
        return response
    }
}

extension Gym_V1_Request: ServiceRequest {}
extension Gym_V1_Response: ServiceResponse {}
extension Gym_V1_BufferRequest: ServiceRequest {}
extension Gym_V1_BufferResponse: ServiceResponse {}
extension Gym_V1_ParametersRequest: ServiceRequest {}
extension Gym_V1_ParametersResponse: ServiceResponse {}
