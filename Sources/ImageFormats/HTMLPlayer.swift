import Foundation
import GymCore
import JSONWriting

/// A self-contained HTML page that plays frames as an animation: play, pause, step, scrub and
/// speed controls, with a caption per frame. Frames are embedded as PNG data URIs, so the page
/// needs no other file and no network.
public enum HTMLPlayer {
    /// One frame and the line shown under it.
    public struct Frame {
        public var image: RGBFrame
        public var caption: String

        /// A frame with its caption.
        public init(image: RGBFrame, caption: String) {
            self.image = image
            self.caption = caption
        }
    }

    /// The page for `frames`, played at `fps` frames per second at speed 1.
    public static func page(title: String, subtitle: String, frames: [Frame], fps: Double) throws -> String {
        let images = try frames.map { "\"data:image/png;base64," + Data(try PNGEncoder.encode($0.image)).base64EncodedString() + "\"" }
        let captions = frames.map { escapeJSON($0.caption) }
        let width = frames.first?.image.width ?? 0
        let height = frames.first?.image.height ?? 0
        return """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <title>\(escapeHTML(title))</title>
        <style>
          body { font-family: sans-serif; margin: 16px; background: #f4f4f4; color: #222; }
          #view { border: 1px solid #999; background: #fff; display: block; max-width: 100%; }
          .controls { margin: 8px 0; display: flex; gap: 8px; align-items: center; }
          #scrub { width: \(max(200, width - 220))px; }
          #caption { font-family: monospace; white-space: pre; }
        </style>
        </head>
        <body>
        <h2>\(escapeHTML(title))</h2>
        <div>\(escapeHTML(subtitle))</div>
        <img id="view" width="\(width)" height="\(height)" alt="episode frame">
        <div class="controls">
          <button id="play">Pause</button>
          <button id="back">&#9664;</button>
          <button id="forward">&#9654;</button>
          <input id="scrub" type="range" min="0" max="\(max(0, frames.count - 1))" value="0">
          <label>speed <select id="speed">
            <option value="0.25">0.25&times;</option><option value="0.5">0.5&times;</option>
            <option value="1" selected>1&times;</option><option value="2">2&times;</option><option value="4">4&times;</option>
          </select></label>
        </div>
        <div id="caption"></div>
        <script>
        const frames = [\(images.joined(separator: ",\n"))];
        const captions = [\(captions.joined(separator: ","))];
        const fps = \(fps);
        let index = 0, playing = true, timer = null;
        const view = document.getElementById("view"), scrub = document.getElementById("scrub");
        const caption = document.getElementById("caption"), play = document.getElementById("play");
        const speed = document.getElementById("speed");
        function show(i) {
          index = Math.max(0, Math.min(frames.length - 1, i));
          view.src = frames[index];
          scrub.value = index;
          caption.textContent = "frame " + index + " / " + (frames.length - 1) + "   " + captions[index];
        }
        function schedule() {
          clearTimeout(timer);
          if (!playing) return;
          timer = setTimeout(() => { show(index + 1 < frames.length ? index + 1 : 0); schedule(); },
                             1000 / (fps * parseFloat(speed.value)));
        }
        function setPlaying(on) { playing = on; play.textContent = on ? "Pause" : "Play"; schedule(); }
        play.onclick = () => setPlaying(!playing);
        document.getElementById("back").onclick = () => { setPlaying(false); show(index - 1); };
        document.getElementById("forward").onclick = () => { setPlaying(false); show(index + 1); };
        scrub.oninput = () => { setPlaying(false); show(parseInt(scrub.value)); };
        speed.onchange = schedule;
        document.addEventListener("keydown", e => { if (e.key === " ") { setPlaying(!playing); e.preventDefault(); } });
        const start = parseInt(new URLSearchParams(location.search).get("frame"));
        if (!isNaN(start)) { show(start); setPlaying(false); } else { show(0); schedule(); }
        </script>
        </body>
        </html>

        """
    }

    static func escapeHTML(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }

    static func escapeJSON(_ text: String) -> String { JSONString.quoted(text, forHTML: true) }
}
