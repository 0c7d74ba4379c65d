import Foundation
import GymClient
import GymCore
import NeuralNet
import Testing

/// Distributed runs with a rogue peer on the learner's parameter service, which any process
/// that reaches its port can call: wrong-shape and NaN gradients, inflated reports, and weights
/// of its own are refused with typed errors while the run trains to its threshold.
@Suite(.serialized) struct RoguePeerTests {
    /// The rogue's calls, on a thread of its own until `stop` or until the service is gone (a
    /// call times out), and the error codes they got.
    final class Rogue: @unchecked Sendable {
        private let lock = NSLock()
        private var codes: [String: [String]] = [:]
        private var stopped = false
        private var thread: Thread?
        private(set) var failure: String?

        /// Starts calling `endpoint` with each of `attacks` in turn until `stop`.
        init(endpoint: String, attacks: [String: @Sendable (ParameterClient, [String: Tensor]) throws -> Void]) {
            let thread = Thread { [self] in
                do {
                    let client = try ParameterClient(endpoint: endpoint, timeout: 3, clientName: "rogue")
                    let network = try SafeTensors.decode(try client.fetch(newerThan: 0, wait: 10).safetensors).tensors
                    while !lock.withLock({ stopped }) {
                        for (name, attack) in attacks.sorted(by: { $0.key < $1.key }) {
                            do {
                                try attack(client, network)
                                record(name, "accepted")
                            } catch let error as GymError where error.code == .timedOut {
                                return  // the learner has finished and its service is gone
                            } catch let error as GymError {
                                record(name, error.code.description)
                            }
                        }
                        Thread.sleep(forTimeInterval: 0.005)
                    }
                } catch {
                    lock.withLock { failure = "\(error)" }
                }
            }
            self.thread = thread
            thread.start()
        }

        private func record(_ attack: String, _ outcome: String) {
            lock.withLock { codes[attack, default: []].append(outcome) }
        }

        /// Stops the calls and returns each attack's outcomes: its error codes, or "accepted".
        func stop() -> [String: [String]] {
            lock.withLock { stopped = true }
            while thread?.isFinished == false { Thread.sleep(forTimeInterval: 0.01) }
            return lock.withLock { codes }
        }
    }

    static func poisoned(_ network: [String: Tensor], _ value: Float) -> [String: Tensor] {
        network.mapValues { Tensor(shape: $0.shape, repeating: value) }
    }

    static func expectOutcome(_ codes: [String: [String]], _ attack: String, _ outcome: String) {
        let got = codes[attack] ?? []
        #expect(!got.isEmpty, "\(attack) was never tried")
        #expect(got.allSatisfy { $0 == outcome }, "\(attack): \(Set(got))")
    }

    @Test func a3cTrainsThroughNaNAndWrongShapeGradientsAndRogueWeights() throws {
        let learner = try GymProcess(["train", "a3c", "--env", "Flyer-v0", "--workers", "2", "--seed", "3", "--total-steps", "200000",
                                      "--eval-episodes", "10", "--json", "--log-level", "info"])
        let endpoint = try #require(learner.waitForStderr("parameter service on (tcp://[0-9.:]+)", seconds: 60))
        let stats = EpisodeStats(envSteps: 10)
        let rogue = Rogue(endpoint: endpoint, attacks: [
            "nan-gradients": { client, network in
                _ = try client.push(gradients: try SafeTensors.encode(Self.poisoned(network, .nan)), from: 1, worker: 0, stats: stats)
            },
            "infinite-gradients": { client, network in
                _ = try client.push(gradients: try SafeTensors.encode(Self.poisoned(network, -.infinity)), from: 1, worker: 0, stats: stats)
            },
            "wrong-shape-gradients": { client, network in
                let transposed = network.mapValues { Tensor(shape: Array($0.shape.reversed()) + [1], repeating: 0.1) }
                _ = try client.push(gradients: try SafeTensors.encode(transposed), from: 1, worker: 0, stats: stats)
            },
            "inflated-report": { client, _ in _ = try client.report(worker: 0, version: 1, stats: EpisodeStats(envSteps: 900_000)) },
            "stranger-report": { client, _ in _ = try client.report(worker: 77, version: 1, stats: EpisodeStats(envSteps: 1)) },
            "nan-weights": { client, network in _ = try client.publish(try SafeTensors.encode(Self.poisoned(network, .nan))) },
        ])
        let status = learner.waitForExit(seconds: 300)
        let codes = rogue.stop()
        #expect(rogue.failure == nil, "\(rogue.failure ?? "")")
        #expect(status == 0, "\(learner.stderr.suffix(3000))")
        for attack in ["nan-gradients", "infinite-gradients", "wrong-shape-gradients", "inflated-report", "stranger-report"] {
            Self.expectOutcome(codes, attack, "invalidArgument")
        }
        Self.expectOutcome(codes, "nan-weights", "notOwner")
        let summary = try #require(learner.lastJSON, "\(learner.stdout)")
        #expect(summary["solved"] as? Bool == true, "\(summary)")
        #expect((summary["eval_mean"] as? Double ?? 0) >= 0.9, "\(summary)")
        // The refused reports' steps were never counted.
        #expect((summary["steps"] as? Int ?? .max) < 200_000, "\(summary)")
        #expect(learner.stderr.contains("rejected: invalidArgument: gradients hold non-finite values"))
    }

    @Test func apexActorsKeepTheLearnersWeightsWhileARoguePublishes() throws {
        let learner = try GymProcess(["train", "dqn", "--env", "Flyer-v0", "--actors", "2", "--seed", "1", "--total-steps", "60000",
                                      "--eval-episodes", "10", "--json", "--log-level", "info"])
        let endpoint = try #require(learner.waitForStderr("parameter service on (tcp://[0-9.:]+)", seconds: 60))
        let rogue = Rogue(endpoint: endpoint, attacks: [
            "nan-weights": { client, network in _ = try client.publish(try SafeTensors.encode(Self.poisoned(network, .nan))) },
            "zero-weights": { client, network in _ = try client.publish(try SafeTensors.encode(Self.poisoned(network, 0))) },
            "empty-weights": { client, _ in _ = try client.publish([]) },
            // What actors fetch is still the learner's: finite, and never the rogue's zeros.
            "fetch": { client, _ in
                let weights = try SafeTensors.decode(try client.fetch(newerThan: 0).safetensors).tensors
                if weights.values.contains(where: { tensor in !tensor.data.allSatisfy(\.isFinite) || tensor.data.allSatisfy { $0 == 0 } }) {
                    throw GymError(.malformed, "the service hands out weights the learner did not publish")
                }
            },
        ])
        let status = learner.waitForExit(seconds: 300)
        let codes = rogue.stop()
        #expect(rogue.failure == nil, "\(rogue.failure ?? "")")
        #expect(status == 0, "\(learner.stderr.suffix(3000))")
        for attack in ["nan-weights", "zero-weights", "empty-weights"] {
            Self.expectOutcome(codes, attack, "notOwner")
        }
        Self.expectOutcome(codes, "fetch", "accepted")
        let summary = try #require(learner.lastJSON, "\(learner.stdout)")
        #expect(summary["solved"] as? Bool == true, "\(summary)")
        #expect((summary["eval_mean"] as? Double ?? 0) >= 0.9, "\(summary)")
        #expect((summary["steps"] as? Int ?? 0) > 0, "\(summary)")
    }
}
