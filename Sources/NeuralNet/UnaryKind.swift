/// The elementwise one-input operations without parameters.
enum UnaryKind {
    case exp, log, square, sqrt, abs, tanh, sigmoid, relu
}
