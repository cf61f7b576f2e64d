package deps

import (
	"archive/tar"
	"bufio"
	"compress/gzip"
	"context"
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"strings"
	"sync"
)

// maxUnpacked bounds what one archive may unpack to, so a hostile or broken
// tarball cannot fill the disk.
const maxUnpacked = 1 << 30

// downloader fetches and unpacks tarballs (Hub packages and tarball: URLs),
// each URL once per run.
type downloader struct {
	client *http.Client
	red    *redactor
	work   string

	mu       sync.Mutex
	n        int
	cache    map[string]string
	requests int
}

// fetch downloads url, checks its sha1 when the Hub gave one, and unpacks it;
// it returns the folder holding the package's dbt_project.yml.
func (d *downloader) fetch(ctx context.Context, url, shown, wantSHA1 string) (string, error) {
	d.mu.Lock()
	if dir, ok := d.cache[url]; ok {
		d.mu.Unlock()
		return dir, nil
	}
	d.n++
	dest := filepath.Join(d.work, fmt.Sprintf("tar-%d", d.n))
	d.requests++
	d.mu.Unlock()

	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return "", &Error{Problem: "bad URL " + shown + ": " + d.red.clean(err.Error()), Fix: "fix the tarball URL"}
	}
	resp, err := d.client.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return "", ctx.Err()
		}
		return "", &Error{Problem: "cannot download " + shown + ": " + d.red.clean(rootCause(err)), Fix: "check the URL and the network"}
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return "", &Error{Problem: fmt.Sprintf("cannot download %s: the server answered %s", shown, resp.Status), Fix: "check the URL (and the credentials it needs)"}
	}
	h := sha1.New()
	if err := unpack(io.TeeReader(resp.Body, h), dest); err != nil {
		if ctx.Err() != nil {
			return "", ctx.Err()
		}
		return "", &Error{Problem: "bad tarball from " + shown + ": " + d.red.clean(err.Error()), Fix: "the URL must serve a .tar.gz of a dbt project"}
	}
	io.Copy(h, resp.Body) // hash any trailing padding the tar reader left unread
	if wantSHA1 != "" && !strings.EqualFold(hex.EncodeToString(h.Sum(nil)), wantSHA1) {
		return "", &Error{Problem: fmt.Sprintf("bad tarball from %s: its sha1 is %s, the Hub lists %s", shown, hex.EncodeToString(h.Sum(nil)), wantSHA1), Fix: "the download was corrupted or the archive changed; try again"}
	}
	root, err := archiveRoot(dest)
	if err != nil {
		return "", &Error{Problem: "bad tarball from " + shown + ": " + err.Error(), Fix: "the archive must hold one folder with dbt_project.yml (as GitHub's tarballs do)"}
	}
	d.mu.Lock()
	d.cache[url] = root
	d.mu.Unlock()
	return root, nil
}

// unpack extracts a gzipped (or plain) tar into dest, refusing entries that
// would land outside it.
func unpack(r io.Reader, dest string) error {
	br := bufio.NewReader(r)
	var src io.Reader = br
	if magic, err := br.Peek(2); err == nil && magic[0] == 0x1f && magic[1] == 0x8b {
		gz, err := gzip.NewReader(br)
		if err != nil {
			return fmt.Errorf("not a gzip archive: %w", err)
		}
		defer gz.Close()
		src = gz
	}
	if err := os.MkdirAll(dest, 0o755); err != nil {
		return err
	}
	tr := tar.NewReader(src)
	var total int64
	entries := 0
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return fmt.Errorf("not a tar archive: %w", err)
		}
		name := path.Clean(strings.TrimPrefix(strings.ReplaceAll(hdr.Name, "\\", "/"), "./"))
		if name == "." || hdr.Typeflag == tar.TypeXGlobalHeader {
			continue
		}
		if path.IsAbs(name) || name == ".." || strings.HasPrefix(name, "../") {
			return fmt.Errorf("entry %q points outside the archive", hdr.Name)
		}
		target := filepath.Join(dest, filepath.FromSlash(name))
		switch hdr.Typeflag {
		case tar.TypeDir:
			if err := os.MkdirAll(target, 0o755); err != nil {
				return err
			}
		case tar.TypeReg, tar.TypeRegA:
			total += hdr.Size
			if total > maxUnpacked {
				return fmt.Errorf("it unpacks to more than %d MiB", maxUnpacked>>20)
			}
			if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
				return err
			}
			f, err := os.OpenFile(target, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o644|os.FileMode(hdr.Mode)&0o111)
			if err != nil {
				return err
			}
			_, err = io.Copy(f, tr)
			if cerr := f.Close(); err == nil {
				err = cerr
			}
			if err != nil {
				return fmt.Errorf("entry %q: %w", hdr.Name, err)
			}
		case tar.TypeSymlink:
			link := path.Clean(path.Join(path.Dir(name), hdr.Linkname))
			if path.IsAbs(hdr.Linkname) || link == ".." || strings.HasPrefix(link, "../") {
				return fmt.Errorf("symlink %q points outside the archive", hdr.Name)
			}
			if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
				return err
			}
			if err := os.Symlink(hdr.Linkname, target); err != nil {
				return err
			}
		default:
			continue // hard links, devices and fifos have no place in a package
		}
		entries++
	}
	if entries == 0 {
		return errors.New("the archive is empty")
	}
	return nil
}

// archiveRoot finds the package in an unpacked archive: its one top folder
// (GitHub's tarballs wrap everything in repo-tag/), or the top itself.
func archiveRoot(dest string) (string, error) {
	if hasProjectFile(dest) {
		return dest, nil
	}
	ents, err := os.ReadDir(dest)
	if err != nil {
		return "", err
	}
	if len(ents) == 1 && ents[0].IsDir() {
		root := filepath.Join(dest, ents[0].Name())
		if hasProjectFile(root) {
			return root, nil
		}
		return "", fmt.Errorf("its folder %s has no dbt_project.yml", ents[0].Name())
	}
	return "", fmt.Errorf("expected one top folder holding dbt_project.yml, found %d entries", len(ents))
}

func hasProjectFile(dir string) bool {
	for _, n := range projectFiles {
		if st, err := os.Stat(filepath.Join(dir, n)); err == nil && st.Mode().IsRegular() {
			return true
		}
	}
	return false
}
