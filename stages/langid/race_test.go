//go:build race

package langid

// raceDetector is true in -race builds (see tagger).
const raceDetector = true
