import Testing
@testable import NeuralNet

@Suite("Frozen parameters")
struct FreezeTests {
    /// An actor layer feeding a critic layer and a scalar parameter, as an actor step reads a critic.
    private struct Chain {
        let actor: Dense, critic: Dense, scale: Parameter
        init() {
            var rng = SeededRNG(seed: 7)
            actor = Dense(inputSize: 3, outputSize: 4, rng: &rng)
            critic = Dense(inputSize: 4, outputSize: 1, rng: &rng)
            scale = Parameter(Tensor(shape: [1], data: [1.5]))
        }
        var frozen: [Parameter] { critic.parameters + [scale] }
        var all: [Parameter] { actor.parameters + frozen }

        func backward(on graph: Graph, freezing: Bool) {
            graph.reset()
            if freezing { graph.freeze(frozen) }
            let x = graph.constant(Tensor(rows: [[0.5, -1, 2], [1, 0.25, -0.5]]))
            let loss = (critic(actor(x).tanh()) * graph.parameter(scale)).mean()
            for parameter in all { parameter.zeroGrad() }
            graph.backward(loss)
        }
    }

    @Test("a frozen parameter gathers no gradient, and the gradient still flows through it")
    func frozenParametersPassGradientsOn() {
        let chain = Chain(), graph = Graph()
        chain.backward(on: graph, freezing: false)
        let reference = chain.all.map(\.grad)
        #expect(chain.frozen.allSatisfy { $0.grad.data.contains { $0 != 0 } })

        chain.backward(on: graph, freezing: true)
        for (parameter, expected) in zip(chain.actor.parameters, reference) { #expect(parameter.grad == expected) }
        #expect(chain.frozen.allSatisfy { $0.grad.data.allSatisfy { $0 == 0 } })
    }

    @Test("reset thaws every frozen parameter")
    func resetThaws() {
        let chain = Chain(), graph = Graph()
        chain.backward(on: graph, freezing: true)
        chain.backward(on: graph, freezing: false)
        #expect(chain.frozen.allSatisfy { $0.grad.data.contains { $0 != 0 } })
    }
}
