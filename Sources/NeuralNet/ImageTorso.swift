/// A convolutional torso: a batch of images in, `[batch, outputSize]` features out.
///
/// What an agent puts in front of its heads when observations are images; `NatureCNN` for
/// Atari-sized frames, `MinAtarCNN` for small ones.
public protocol ImageTorso: Module {
    /// The shape of one input image.
    var input: ImageShape { get }
    /// The number of features per image.
    var outputSize: Int { get }
    /// The forward pass on a batch of images, as graph operations.
    func callAsFunction(_ x: ImageVariable) -> Variable
}

extension NatureCNN: ImageTorso {}
