import Agents
import Foundation
import GymCore
import NeuralNet
import Testing

/// Image observations reach a convolutional torso: layout and scale from the space, the torso
/// from the image size, and policies on it that save, load and refuse hostile structures.
@Suite struct ImageTorsoTests {
    static let minAtar = Space.box(low: 0, high: 1, shape: [10, 10, 4], dtype: .bool)
    static let stackedFrames = Space.box(low: 0, high: 255, shape: [4, 84, 84], dtype: .uint8)

    @Test func layoutAndScaleComeFromTheSpace() throws {
        let small = try #require(ImageObservation(Self.minAtar))
        #expect(small.shape == ImageShape(channels: 4, height: 10, width: 10) && small.layout == .channelsLast && small.divisor == 1)
        let atari = try #require(ImageObservation(Self.stackedFrames))
        #expect(atari.shape == ImageShape(channels: 4, height: 84, width: 84) && atari.layout == .channelsFirst && atari.divisor == 255)
        let raw = try #require(ImageObservation(.box(low: 0, high: 255, shape: [210, 160, 3], dtype: .uint8)))
        #expect(raw.shape == ImageShape(channels: 3, height: 210, width: 160) && raw.layout == .channelsLast)
        #expect(ImageObservation(.box(low: -1, high: 1, shape: [4], dtype: .float32)) == nil)
        #expect(ImageObservation(.box(low: 0, high: 1, shape: [84, 84], dtype: .uint8)) == nil)
        #expect(ImageObservation(.box(low: 0, high: 1, shape: [0, 10, 10], dtype: .uint8)) == nil)
    }

    @Test func inputIsChannelMajorAndScaled() throws {
        // HWC value at (y, x, c) = 100y + 10x + c; in CHW it must sit at c·(H·W) + y·W + x.
        let image = ImageObservation(shape: ImageShape(channels: 3, height: 2, width: 4), layout: .channelsLast, divisor: 255)
        var hwc: [Float] = []
        for y in 0..<2 { for x in 0..<4 { for c in 0..<3 { hwc.append(Float(100 * y + 10 * x + c)) } } }
        let input = (hwc + hwc).withUnsafeBufferPointer { image.input($0, rows: 2) }
        #expect(input.shape == [2, 24])
        for row in 0..<2 { for c in 0..<3 { for y in 0..<2 { for x in 0..<4 {
            #expect(input.data[row * 24 + c * 8 + y * 4 + x] == Float(100 * y + 10 * x + c) / 255)
        } } } }
    }

    @Test func theTorsoFollowsTheImageSize() throws {
        #expect(try Torso.auto.convolution(for: Self.minAtar)?.kind == .minatar)
        #expect(try Torso.auto.convolution(for: Self.stackedFrames)?.kind == .nature)
        #expect(try Torso.auto.convolution(for: .box(low: -1, high: 1, shape: [4], dtype: .float32)) == nil)
        #expect(try Torso.mlp.convolution(for: Self.minAtar) == nil)
        #expect(try Torso.nature.convolution(for: Self.stackedFrames)?.kind == .nature)
        #expect(throws: AgentError.self) { try Torso.minatar.convolution(for: .box(low: -1, high: 1, shape: [4], dtype: .float32)) }
        // The Nature CNN does not fit 10×10 frames: a typed error, not a trap.
        let forced = try #require(try Torso.nature.convolution(for: Self.minAtar))
        var random = SeededRNG(seed: 1)
        #expect(throws: AgentError.self) { try forced.build(rng: &random) }
    }

    @Test func theMinAtarNetworkHasThePapersShape() throws {
        var random = SeededRNG(seed: 2)
        let torso = try MinAtarCNN(input: ImageShape(channels: 4, height: 10, width: 10), rng: &random)
        #expect(torso.namedParameters.map(\.name) == ["0.weight", "0.bias", "3.weight", "3.bias"])
        #expect(torso.conv.weight.shape == [16, 4, 3, 3] && torso.dense.weight.shape == [128, 1024])
        let design = try #require(try Torso.auto.convolution(for: Self.minAtar))
        let network = try ConvolutionalNetwork(design: design, outputSize: 3, rng: &random)
        let q = network.predict(Tensor(shape: [5, 400], data: (0..<2000).map { Float($0 % 2) }))
        #expect(q.shape == [5, 3] && q.data.allSatisfy(\.isFinite))
    }

    @Test func channelsFirstAndChannelsLastGiveTheSameValues() throws {
        // One network read from HWC observations and its copy read from the same images in CHW.
        var random = SeededRNG(seed: 3)
        let last = ConvolutionalTorso(kind: .minatar, image: try #require(ImageObservation(Self.minAtar)))
        let first = ConvolutionalTorso(kind: .minatar, image: ImageObservation(shape: last.image.shape, layout: .channelsFirst, divisor: 1))
        let a = try ConvolutionalNetwork(design: last, outputSize: 3, rng: &random)
        let b = try ConvolutionalNetwork(design: first, outputSize: 3, rng: &random)
        b.copy(from: a)
        let hwc = (0..<800).map { _ in Float(random.nextInt(below: 2)) }
        let chw = hwc.withUnsafeBufferPointer { last.image.input($0, rows: 2) }.data
        #expect(a.predict(Tensor(shape: [2, 400], data: hwc)) == b.predict(Tensor(shape: [2, 400], data: chw)))
    }

    @Test func parameterCountsAreComputedWithoutBuilding() throws {
        var random = SeededRNG(seed: 4)
        for space in [Self.minAtar, Self.stackedFrames] {
            let design = try #require(try Torso.auto.convolution(for: space))
            #expect(design.parameterCount() == (try design.build(rng: &random)).parameterCount)
        }
    }

    private func metadata(_ policy: any GreedyPolicy) -> PolicyMetadata {
        PolicyMetadata(algo: "dqn", env: "MinAtar/Breakout-v1", policy: policy.checkpoint.kind, observationSpace: "Box(False, True, (10, 10, 4), bool)",
                       actionSpace: "Discrete(3)", observationSize: policy.observationSize, actionCount: policy.actionCount,
                       seed: 1, structure: policy.checkpoint.structure, hyperparameters: [:], evaluation: nil)
    }

    @Test func convolutionalPoliciesRoundTripWithTheSameActions() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        var random = SeededRNG(seed: 5)
        let design = try #require(try Torso.auto.convolution(for: Self.minAtar))
        let actorCritic = try ActorCriticNetwork(torso: design, hiddenSizes: [], head: .categorical(actions: 3), sharing: .shared, rng: &random)
        // Scale the actor's head up so that the greedy actions differ between observations.
        for p in [actorCritic.policyHead.weight] { p.value.data = p.value.data.map { $0 * 300 } }
        let policies: [any GreedyPolicy] = [QNetworkPolicy(network: try ConvolutionalNetwork(design: design, outputSize: 3, rng: &random)),
                                            try #require(actorCritic.greedyPolicy(.discrete(try SpaceLayout(Self.spec))) as? any GreedyPolicy)]
        let observations = (0..<(400 * 200)).map { _ in Float(random.nextInt(below: 5) == 0 ? 1 : 0) }
        for (index, policy) in policies.enumerated() {
            let url = directory.appendingPathComponent("policy-\(index).safetensors")
            try PolicyFile.save(policy, metadata: metadata(policy), to: url)
            let (loaded, _) = try PolicyFile.load(from: url)
            #expect(loaded.actions(observations, count: 200) == policy.actions(observations, count: 200))
            #expect(Set(policy.greedyActions(observations, count: 200)).count > 1, "the probes should exercise several actions")
        }
        // The actor-critic's greedy policy matches its own logits' argmax.
        let logits = actorCritic.predictPolicy(actorCritic.input(observations, count: 200))
        #expect(policies[1].greedyActions(observations, count: 200) == logits.argmax())
    }

    static let spec = EnvSpec(id: "MinAtar/Breakout-v1", observationSpace: minAtar, actionSpace: .discrete(n: 3), maxEpisodeSteps: nil,
                              rewardThreshold: nil, factory: { _ in throw GymError(.invalidArgument, "served by the bridge") })

    @Test func aHostileStructureIsAnErrorBeforeAnythingIsBuilt() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        var random = SeededRNG(seed: 6)
        let design = try #require(try Torso.auto.convolution(for: Self.minAtar))
        let policy = QNetworkPolicy(network: try ConvolutionalNetwork(design: design, outputSize: 3, rng: &random))
        let hostile: [[String: MetadataValue]] = [
            // 16384×16384 images would need a 34-billion-float dense layer.
            policy.checkpoint.structure.merging(["image_shape": .ints([1, 16384, 16384])]) { $1 },
            policy.checkpoint.structure.merging(["image_shape": .ints([4, 10])]) { $1 },
            policy.checkpoint.structure.merging(["image_divisor": .double(0)]) { $1 },
            policy.checkpoint.structure.merging(["torso": .string("resnet")]) { $1 },
            policy.checkpoint.structure.merging(["image_shape": .ints([5, 10, 10])]) { $1 },
        ]
        for (index, structure) in hostile.enumerated() {
            var saved = metadata(policy)
            saved.structure = structure
            let url = directory.appendingPathComponent("hostile-\(index).safetensors")
            try SafeTensors.save(policy.checkpoint.tensors, metadata: ["gym_policy": try Self.json(saved)], to: url)
            #expect(throws: AgentError.self, "structure \(index)") { try PolicyFile.load(from: url) }
        }
    }

    static func json(_ metadata: PolicyMetadata) throws -> String {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        return String(decoding: try encoder.encode(metadata), as: UTF8.self)
    }
}
