//go:build !linux

package artifact

import "os"

// writeWhole writes data to path, creating or truncating it.
func writeWhole(path string, data string) error { return os.WriteFile(path, []byte(data), 0o644) }
