/// The elementwise two-input operations.
enum BinaryKind {
    case add, sub, mul, div, minimum, maximum
}
