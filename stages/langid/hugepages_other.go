//go:build !linux

package langid

// hugePages is Linux advice (hugepages_linux.go); elsewhere the tables use
// the system's default pages.
func hugePages[T any](s []T) bool { return false }
