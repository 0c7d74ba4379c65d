import CMuJoCo
import GymCore

/// The free camera an environment's frames are seen through: Gymnasium's `MujocoRenderer`
/// looks at the median of the geoms' positions from `model.stat.extent` away, as the first
/// frame finds them, then applies the environment's `default_camera_config` (these fields).
struct MuJoCoCamera: Sendable {
    var distance: Double? = nil
    var lookat: (x: Double, y: Double, z: Double)? = nil
    var elevation: Double? = nil
}

/// Offscreen frames of one simulation (`render_mode="rgb_array"` at Gymnasium's 480 × 480),
/// drawn by MuJoCo's own renderer in an EGL context of its own, made at the first frame.
final class MuJoCoRenderer {
    /// Gymnasium's `DEFAULT_SIZE` and `max_geom`.
    static let width = 480
    static let height = 480
    static let maxGeometries = 1_000

    /// Why this machine has no EGL to render with (nil: libEGL loads; its display is initialized
    /// at the first frame, since that loads the driver); checked once.
    static let unavailableReason: String? = {
        var message = [CChar](repeating: 0, count: 256)
        return gym_mujoco_render_available(&message, message.count) == 1 ? nil : String(cString: message)
    }()

    /// The frame size the environments declare: nil, so `render` answers NOT_SUPPORTED, where
    /// the machine cannot render.
    static var renderSize: (width: Int, height: Int)? { unavailableReason == nil ? (width, height) : nil }

    private let renderer: OpaquePointer
    private var camera = mjvCamera()

    init(_ simulation: MuJoCoSimulation, camera config: MuJoCoCamera) throws {
        if let reason = Self.unavailableReason {
            throw GymError(.notSupported, "MuJoCo environments cannot render on this server: \(reason)")
        }
        var message = [CChar](repeating: 0, count: 512)
        var refusal: Int32 = 0
        guard let renderer = gym_mujoco_renderer_make(simulation.model, Int32(Self.width), Int32(Self.height),
                                                      Int32(Self.maxGeometries), &refusal, &message, message.count)
        else {
            switch refusal {
            case Int32(GYM_MUJOCO_RENDER_OVER_LIMIT): throw GymError(.quotaExceeded, String(cString: message))
            case Int32(GYM_MUJOCO_RENDER_UNSUPPORTED):
                throw GymError(.notSupported, "MuJoCo environments cannot render on this server: \(String(cString: message))")
            default: throw GymError(.internalError, String(cString: message))
            }
        }
        self.renderer = renderer
        mjv_defaultCamera(&camera)
        camera.type = Int32(mjCAMERA_FREE.rawValue)
        camera.fixedcamid = -1
        let centre = simulation.geometryMedian()
        camera.lookat = (centre.x, centre.y, centre.z)
        camera.distance = simulation.model.pointee.stat.extent
        if let distance = config.distance { camera.distance = distance }
        if let lookat = config.lookat { camera.lookat = (lookat.x, lookat.y, lookat.z) }
        if let elevation = config.elevation { camera.elevation = elevation }
    }

    deinit { gym_mujoco_renderer_free(renderer) }

    /// The simulation's current state as a frame, top row first.
    func draw(_ simulation: MuJoCoSimulation) throws -> RGBFrame {
        let count = Self.width * Self.height * RGBFrame.bytesPerPixel
        var message = [CChar](repeating: 0, count: 512)
        var drawn: Int32 = 0
        let pixels = [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            drawn = gym_mujoco_renderer_draw(renderer, simulation.model, simulation.data, &camera,
                                             buffer.baseAddress, count, &message, message.count)
            if drawn != 1 { buffer.initialize(repeating: 0) }
            initialized = count
        }
        guard drawn == 1, let frame = RGBFrame(width: Self.width, height: Self.height, pixels: pixels) else {
            throw GymError(.internalError, String(cString: message))
        }
        return frame
    }
}

extension MuJoCoSimulation {
    /// `np.median(data.geom_xpos[:, axis])` for each axis.
    func geometryMedian() -> (x: Double, y: Double, z: Double) {
        let count = Int(model.pointee.ngeom)
        guard count > 0, let positions = data.pointee.geom_xpos else { return (0, 0, 0) }
        func median(_ axis: Int) -> Double {
            let values = (0..<count).map { positions[3 * $0 + axis] }.sorted()
            return count % 2 == 1 ? values[count / 2] : (values[count / 2 - 1] + values[count / 2]) / 2
        }
        return (median(0), median(1), median(2))
    }
}
