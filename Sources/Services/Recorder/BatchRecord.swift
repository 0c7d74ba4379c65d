import GymCore
import GymProtocol

/// What the recorder knows of one `make`: the batch row and how its values are laid out.
public final class BatchRecord {
    public let id: Int64
    public let handle: UInt64
    public let client: String
    public let envID: String
    public let kwargsJSON: String
    public let numEnvs: Int
    public let maxEpisodeSteps: Int
    public let autoreset: AutoresetMode
    public let observationLayout: ArrayLayout
    public let actionLayout: ArrayLayout
    /// What the client that made the batch said of itself in its hello (run, algorithm,
    /// role), nil when it said nothing.
    public let maker: Gym_V1_ClientDescription?
    /// Room to reserve for an episode's arrays: a little over the mean length so far.
    var expectedLength = 32
    private var finishedEpisodes = 0
    private var finishedSteps = 0

    func noteFinished(length: Int) {
        finishedEpisodes += 1
        finishedSteps += length
        expectedLength = min(4096, finishedSteps / finishedEpisodes + finishedSteps / finishedEpisodes / 2 + 8)
    }

    init(id: Int64, handle: UInt64, client: String, envID: String, kwargsJSON: String, numEnvs: Int,
         maxEpisodeSteps: Int, autoreset: AutoresetMode, observationLayout: ArrayLayout, actionLayout: ArrayLayout,
         maker: Gym_V1_ClientDescription? = nil) {
        self.maker = maker
        self.id = id
        self.handle = handle
        self.client = client
        self.envID = envID
        self.kwargsJSON = kwargsJSON
        self.numEnvs = numEnvs
        self.maxEpisodeSteps = maxEpisodeSteps
        self.autoreset = autoreset
        self.observationLayout = observationLayout
        self.actionLayout = actionLayout
    }
}
