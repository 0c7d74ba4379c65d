import CMuJoCo
import GymCore

/// One MuJoCo model and its simulation state, with the operations Gymnasium's `MujocoEnv`
/// performs on them (`set_state`, `do_simulation`, `mj_resetData`), in the same order.
final class MuJoCoSimulation {
    let model: UnsafeMutablePointer<mjModel>
    let data: UnsafeMutablePointer<mjData>
    /// Generalized coordinates, degrees of freedom and controls.
    let nq: Int, nv: Int, nu: Int
    /// Bodies, the world body 0 included.
    let nbody: Int
    /// `init_qpos` and `init_qvel`: the state right after the model loads.
    let initialPositions: [Double]
    let initialVelocities: [Double]
    /// Physics steps per environment step.
    let frameSkip: Int
    /// Whether the environment reads what `mj_rnePostConstraint` computes (`cacc`, `cfrc_int`,
    /// `cfrc_ext`: Ant's contact forces, the humanoids' observations).
    let readsContactForces: Bool

    /// Loads `file` from the asset directory; a model MuJoCo refuses is an internal error
    /// carrying MuJoCo's own message.
    init(file: String, frameSkip: Int, readsContactForces: Bool = false) throws {
        _ = Self.warningsRouted
        let path = try MuJoCoAssets.path(of: file)
        var message = [CChar](repeating: 0, count: 1_024)
        guard let model = mj_loadXML(path, nil, &message, Int32(message.count)) else {
            throw GymError(.internalError, "MuJoCo cannot load \(path): \(String(cString: message))")
        }
        guard let data = mj_makeData(model) else {
            mj_deleteModel(model)
            throw GymError(.internalError, "MuJoCo cannot allocate the simulation of \(path)")
        }
        self.model = model
        self.data = data
        nq = Int(model.pointee.nq)
        nv = Int(model.pointee.nv)
        nu = Int(model.pointee.nu)
        nbody = Int(model.pointee.nbody)
        initialPositions = Array(UnsafeBufferPointer(start: data.pointee.qpos, count: nq))
        initialVelocities = Array(UnsafeBufferPointer(start: data.pointee.qvel, count: nv))
        self.frameSkip = frameSkip
        self.readsContactForces = readsContactForces
    }

    /// Routes MuJoCo's warnings once, before the first model loads.
    private static let warningsRouted: Void = gym_mujoco_route_warnings()

    /// Made at the first frame (see MuJoCoRenderer), kept for the next ones.
    private var renderer: MuJoCoRenderer?

    /// `render()` in `rgb_array` mode: the current state seen through `camera`.
    func render(camera: MuJoCoCamera) throws -> RGBFrame {
        let renderer = try self.renderer ?? MuJoCoRenderer(self, camera: camera)
        self.renderer = renderer
        return try renderer.draw(self)
    }

    deinit {
        renderer = nil
        mj_deleteData(data)
        mj_deleteModel(model)
    }

    /// Seconds per environment step: `model.opt.timestep * frame_skip`.
    var dt: Double { model.pointee.opt.timestep * Double(frameSkip) }

    var qpos: UnsafeMutableBufferPointer<Double> { UnsafeMutableBufferPointer(start: data.pointee.qpos, count: nq) }
    var qvel: UnsafeMutableBufferPointer<Double> { UnsafeMutableBufferPointer(start: data.pointee.qvel, count: nv) }

    /// `data.cfrc_ext`: per body, the com-based external force (6 values), body-major.
    var externalForces: UnsafeMutableBufferPointer<Double> { UnsafeMutableBufferPointer(start: data.pointee.cfrc_ext, count: 6 * nbody) }

    /// `data.ctrl`: the controls of the last step.
    var controls: UnsafeMutableBufferPointer<Double> { UnsafeMutableBufferPointer(start: data.pointee.ctrl, count: nu) }

    /// `mass_center(model, data)[:2]` of Gymnasium's humanoids: `Σ body_mass · xipos` summed in
    /// body order (as `np.einsum` does), over `body_mass.sum()` (pairwise, as `np.sum` does).
    func massCenter() -> (x: Double, y: Double) {
        let masses = UnsafeBufferPointer(start: model.pointee.body_mass, count: nbody)
        let xipos = data.pointee.xipos!
        var x = 0.0, y = 0.0
        for body in 0..<nbody {
            x += masses[body] * xipos[3 * body]
            y += masses[body] * xipos[3 * body + 1]
        }
        let total = NumPySum.sum(masses)
        return (x / total, y / total)
    }

    /// The actuators' control ranges as Gymnasium's action space has them: float32 bounds.
    func actionSpace() -> Space {
        let ranges = UnsafeBufferPointer(start: model.pointee.actuator_ctrlrange, count: 2 * nu)
        let low = (0..<nu).map { Double(Float(ranges[2 * $0])) }
        let high = (0..<nu).map { Double(Float(ranges[2 * $0 + 1])) }
        return .box(low: low, high: high, shape: [nu], dtype: .float32)
    }

    /// `mj_resetData`, as `MujocoEnv.reset` does before `reset_model`.
    func resetData() { mj_resetData(model, data) }

    /// `set_state(qpos, qvel)`: copies the state in and recomputes everything derived from it.
    func setState(positions: [Double], velocities: [Double]) {
        for index in 0..<nq { data.pointee.qpos[index] = positions[index] }
        for index in 0..<nv { data.pointee.qvel[index] = velocities[index] }
        mj_forward(model, data)
    }

    /// `do_simulation(action, frame_skip)`: the float32 action widened into `ctrl`, `frame_skip`
    /// physics steps, then `mj_rnePostConstraint` so contact forces (`cfrc_ext`) are current.
    /// Environments that read none of its outputs skip it: the next `mj_step` recomputes
    /// everything from the state and never reads them, so their episodes stay bit-identical
    /// (the fixtures check it) and each step is a few percent cheaper.
    func simulate(action: UnsafeRawBufferPointer) {
        for index in 0..<nu {
            data.pointee.ctrl[index] = Double(action.loadUnaligned(fromByteOffset: 4 * index, as: Float.self))
        }
        for _ in 0..<frameSkip { mj_step(model, data) }
        if readsContactForces { mj_rnePostConstraint(model, data) }
    }

    /// The index of the body called `name`; a missing body means the asset is not Gymnasium's.
    func bodyIndex(_ name: String) throws -> Int {
        let index = mj_name2id(model, Int32(mjOBJ_BODY.rawValue), name)
        guard index >= 0 else { throw GymError(.internalError, "the MuJoCo model has no body '\(name)'") }
        return Int(index)
    }

    /// `data.body(name).xpos` of a body index: its frame's position in world coordinates.
    func bodyPosition(_ body: Int) -> (x: Double, y: Double, z: Double) {
        let xpos = data.pointee.xpos!
        return (xpos[3 * body], xpos[3 * body + 1], xpos[3 * body + 2])
    }
}
