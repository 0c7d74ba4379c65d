import Agents
import ArgumentParser
import Foundation
import GymCore

extension Gym {
    /// `gym train ALGO`: train an agent, evaluate it greedily, optionally save it.
    struct Train: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Train an agent on an environment.",
            discussion: """
            Every algorithm reaches environments through a daemon (--server, or one in this process), \
            seeds every random stream from --seed, prints a progress line on stderr, and after \
            training plays --eval-episodes greedy episodes, each seeded from the run seed. With \
            --logdir it writes episodes.csv, TensorBoard event files and learning_curve.svg there; \
            with --save, the policy as safetensors plus FILE.json. With --json the last line of \
            stdout is {"algo", "env", "run", "seed", "steps", "episodes", "wall_s", "eval_episodes", \
            "eval_mean", "eval_std", "solved"}; solved is eval_mean >= the environment's reward \
            threshold (null when it has none). --seeds trains once per seed and prints the \
            aggregate instead ({"seeds", "eval_mean", "eval_std", "eval_iqm", "runs", ...}).
            """,
            subcommands: [TrainAlgorithm<SARSA>.self, TrainAlgorithm<QLearning>.self, TrainDQN.self, TrainAlgorithm<Reinforce>.self,
                          TrainAlgorithm<A2C>.self, TrainAlgorithm<PPO>.self,
                          TrainA3C.self, TrainDDPG.self, TrainAlgorithm<TD3>.self, TrainAlgorithm<SAC>.self])

        /// The error for `gym train NAME` when NAME is no algorithm (ArgumentParser would
        /// otherwise complain about the first option after it), or nil.
        static func unknownAlgorithm(in arguments: [String]) -> ValidationError? {
            guard arguments.count >= 2, arguments[0] == "train", let name = arguments.dropFirst().first, !name.hasPrefix("-") else { return nil }
            let known = configuration.subcommands.compactMap { $0.configuration.commandName }
            guard !known.contains(name) else { return nil }
            return ValidationError("unknown algorithm \(name.clippedForEcho(maxBytes: 64)) (one of: \(known.joined(separator: ", ")))")
        }
    }
}
