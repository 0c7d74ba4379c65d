/// The protocol version this build speaks; it is also the `v1` in the schema's package name.
public let gymProtocolVersion: UInt32 = 1
