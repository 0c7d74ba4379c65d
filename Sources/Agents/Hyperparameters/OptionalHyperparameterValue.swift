/// Lets the walk ask whether a value type is optional.
protocol OptionalHyperparameterValue {}
