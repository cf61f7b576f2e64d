package deps

import "io/fs"

var errNotExist = fs.ErrNotExist
