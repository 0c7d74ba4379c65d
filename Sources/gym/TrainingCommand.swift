import Agents
import ArgumentParser

/// A `gym train ALGO` command: the options every algorithm shares, then the algorithm's own
/// hyperparameters as `--name value` words, read through the algorithm's single declaration of
/// each (`HyperparameterSet`), so a hyperparameter is added to the CLI by declaring it there.
protocol TrainingCommand: ParsableCommand {
    associatedtype Hyperparameters: HyperparameterSet
    /// The words the shared options did not take: `--learning-rate 0.001 ...`.
    var hyperparameterWords: [String] { get }
    /// What the settings file and then the words are applied to: the defaults, or a variant.
    var baseHyperparameters: Hyperparameters { get }
    /// The options every algorithm shares.
    var common: TrainOptions { get }
}

extension TrainingCommand {
    var baseHyperparameters: Hyperparameters { Hyperparameters() }

    /// The hyperparameters as given (the base, then the settings file, then the words), checked.
    func hyperparameters() throws -> Hyperparameters {
        var base = baseHyperparameters
        if let file = try common.settingsFile(algo: Self.configuration.commandName ?? "") {
            do {
                base = try base.setting(file.hyperparameters)
            } catch let error as HyperparameterError {
                throw ValidationError("\(file.file): \(error.message)")
            }
        }
        let values: Hyperparameters
        do {
            values = try base.parsing(hyperparameterWords)
        } catch let error as HyperparameterError {
            throw ValidationError(error.message)
        }
        if let problem = values.problem { throw ValidationError(problem) }
        return values
    }

    func validate() throws { _ = try hyperparameters() }
}

extension HyperparameterSet {
    /// The help of a command's hyperparameter words: each declaration with its default, and its
    /// help on a line of its own (short lines, so the help survives the terminal's wrapping).
    static var argumentHelp: ArgumentHelp {
        let table = Self().entries.map { entry -> String in
            let usage = entry.isFlag ? "--[no-]\(entry.flag)" : "--\(entry.flag) <\(entry.valueName)>"
            let aliases = entry.aliases.isEmpty ? "" : ", also --" + entry.aliases.joined(separator: ", --")
            return "\(usage) (default: \(entry.value)\(aliases))\n    \(entry.help)"
        }
        return ArgumentHelp("The algorithm's hyperparameters, each --name value (a flag: --name or --no-name):",
                            discussion: table.joined(separator: "\n"), valueName: "hyperparameters")
    }
}
