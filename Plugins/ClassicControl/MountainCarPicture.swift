import Foundation
import GymCore

/// The picture both mountain cars draw.
enum MountainCarPicture {
    static let width = 600
    static let height = 400
    static let minPosition = -1.2
    static let maxPosition = 0.6
    static let carWidth = 40.0
    static let carHeight = 20.0
    /// Gap between the track and the car's underside, in pixels.
    static let clearance = 10.0
    static let trackSamples = 100
    static let flagPoleHeight = 50.0
    static let wheelColor = RGB(128, 128, 128)
    static let flagColor = RGB(204, 204, 0)

    static func trackHeight(_ position: Double) -> Double {
        sin(3 * position) * 0.45 + 0.55
    }

    /// Gymnasium's mountain-car picture for a car at `position`.
    static func draw(position: Double, goalPosition: Double) -> RGBFrame {
        var canvas = Canvas(width: width, height: height)
        let scale = Double(width) / (maxPosition - minPosition)
        var previous: Canvas.Point?
        for index in 0..<trackSamples {
            let x = minPosition + (maxPosition - minPosition) * Double(index) / Double(trackSamples - 1)
            let point = ((x - minPosition) * scale, trackHeight(x) * scale)
            if let previous { canvas.line(from: previous, to: point, thickness: 1, color: .black) }
            previous = point
        }

        // Gymnasium tilts the car by cos(3·position) radians, the slope's shape rather than its angle.
        let tilt = cos(3 * position)
        let (cosine, sine) = (cos(tilt), sin(tilt))
        let base = (x: (position - minPosition) * scale, y: clearance + trackHeight(position) * scale)
        func place(_ x: Double, _ y: Double) -> Canvas.Point {
            (x * cosine - y * sine + base.x, x * sine + y * cosine + base.y)
        }
        let halfWidth = carWidth / 2
        canvas.fillPolygon(
            [place(-halfWidth, 0), place(-halfWidth, carHeight), place(halfWidth, carHeight), place(halfWidth, 0)],
            color: .black)
        let wheelRadius = (carHeight / 2.5).rounded(.towardZero) + 0.5
        for offset in [carWidth / 4, -carWidth / 4] {
            let wheel = place(offset, 0)
            canvas.fillCircle(
                center: (wheel.x.rounded(.towardZero) + 0.5, wheel.y.rounded(.towardZero) + 0.5),
                radius: wheelRadius, color: wheelColor)
        }

        let flagX = ((goalPosition - minPosition) * scale).rounded(.towardZero)
        let flagBottom = (trackHeight(goalPosition) * scale).rounded(.towardZero)
        let flagTop = flagBottom + flagPoleHeight
        canvas.fillRect(x: flagX, y: flagBottom, width: 1, height: flagPoleHeight + 1, color: .black)
        canvas.fillPolygon([(flagX, flagTop), (flagX, flagTop - 10), (flagX + 25, flagTop - 5)], color: flagColor)
        canvas.flipVertically()
        return canvas.frame
    }
}
