package deps

import (
	"archive/tar"
	"bytes"
	"strings"
	"testing"
)

func TestUnpackRefusesEscapes(t *testing.T) {
	build := func(hdrs ...*tar.Header) []byte {
		var b bytes.Buffer
		tw := tar.NewWriter(&b)
		for _, h := range hdrs {
			tw.WriteHeader(h)
			if h.Typeflag == tar.TypeReg {
				tw.Write(make([]byte, h.Size))
			}
		}
		tw.Close()
		return b.Bytes()
	}
	cases := map[string][]byte{
		"points outside the archive": build(&tar.Header{Name: "../evil.sql", Typeflag: tar.TypeReg, Size: 1, Mode: 0o644}),
		`symlink "pkg/link"`:         build(&tar.Header{Name: "pkg/link", Typeflag: tar.TypeSymlink, Linkname: "../../etc/passwd"}),
		"the archive is empty":       build(),
		"not a tar archive":          []byte("plain text, not an archive at all, long enough to be read as a header block?"),
	}
	for want, data := range cases {
		err := unpack(bytes.NewReader(data), t.TempDir())
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("unpack: %v, want an error containing %q", err, want)
		}
	}
	ok := build(&tar.Header{Name: "pkg/", Typeflag: tar.TypeDir, Mode: 0o755}, &tar.Header{Name: "pkg/dbt_project.yml", Typeflag: tar.TypeReg, Size: 3, Mode: 0o644},
		&tar.Header{Name: "pkg/inner", Typeflag: tar.TypeSymlink, Linkname: "dbt_project.yml"})
	dir := t.TempDir()
	if err := unpack(bytes.NewReader(ok), dir); err != nil {
		t.Fatal(err)
	}
	if root, err := archiveRoot(dir); err != nil || !strings.HasSuffix(root, "pkg") {
		t.Errorf("archiveRoot = %q, %v", root, err)
	}
}
