package uptodate

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"doithoai/pipeline/atomicfile"
)

// ManifestFile is the manifest's name in the state folder.
const ManifestFile = "outbox-manifest.txt"

// Manifest is what the last run that wrote the outbox left there.
type Manifest struct {
	Version     int       `json:"version"`
	Fingerprint string    `json:"fingerprint"`
	RunID       int64     `json:"run_id"`
	Now         time.Time `json:"now"` // the run's clock the status page was stamped with
	// Findings and Outputs are the run's counts and its list of outputs,
	// for the summary of a run that finds the outbox up to date.
	Findings int      `json:"findings"`
	Outputs  []string `json:"outputs"`
	Files    []File   `json:"-"` // every file of the outbox, sorted by path
}

// File is one file of the outbox as the run left it.
type File struct {
	Path  string // relative to the outbox, '/'-separated
	Size  int64
	ModNS int64 // modification time, Unix nanoseconds
	Mode  fs.FileMode
}

// Scan lists every file under the outbox (temporaries of an unfinished
// write aside), sorted by path. A missing outbox is empty. The top-level
// folders are walked at once, one per core.
func Scan(outbox string) ([]File, error) {
	top, err := os.ReadDir(outbox)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("list the outbox: %w", err)
	}
	parts := make([][]File, len(top))
	errs := make([]error, len(top))
	sem := make(chan struct{}, runtime.GOMAXPROCS(0))
	var wg sync.WaitGroup
	for i, d := range top {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			parts[i], errs[i] = walk(outbox, d.Name())
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("list the outbox: %w", err)
	}
	var out []File
	for _, p := range parts {
		out = append(out, p...)
	}
	slices.SortFunc(out, func(a, b File) int { return strings.Compare(a.Path, b.Path) })
	return out, nil
}

// walk lists the files of outbox/name (a file or a folder).
func walk(outbox, name string) ([]File, error) {
	var out []File
	err := filepath.WalkDir(filepath.Join(outbox, name), func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || atomicfile.IsTemp(d.Name()) {
			return nil
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(outbox, p)
		if err != nil {
			return err
		}
		out = append(out, Stat(filepath.ToSlash(rel), fi))
		return nil
	})
	return out, err
}

// Stat is the File of rel with the file information fi.
func Stat(rel string, fi fs.FileInfo) File {
	return File{Path: rel, Size: fi.Size(), ModNS: fi.ModTime().UnixNano(), Mode: fi.Mode()}
}

// Diff is the first difference between the files recorded and the files
// found, "" when they are the same.
func Diff(recorded, found []File) string {
	i, j := 0, 0
	for i < len(recorded) && j < len(found) {
		a, b := recorded[i], found[j]
		switch {
		case a.Path < b.Path:
			return a.Path + ": removed"
		case a.Path > b.Path:
			return b.Path + ": added"
		case a != b:
			return a.Path + ": changed"
		}
		i++
		j++
	}
	if i < len(recorded) {
		return recorded[i].Path + ": removed"
	}
	if j < len(found) {
		return found[j].Path + ": added"
	}
	return ""
}

// Load reads the state folder's manifest; false when there is none or it
// cannot be used (another version, damaged): then nothing is up to date.
func Load(state string) (*Manifest, bool, error) {
	b, err := os.ReadFile(filepath.Join(state, ManifestFile))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("read the outbox manifest: %w", err)
	}
	m, err := parse(b)
	if err != nil || m.Version != Version {
		return nil, false, nil
	}
	// A later run that restamped a file amended the manifest.
	if b, err := os.ReadFile(filepath.Join(state, StampFile)); err == nil {
		var st stamp
		if json.Unmarshal(b, &st) == nil && st.Manifest == m.RunID && st.File.Path != "" {
			m.Now = st.Now
			m.replace(st.File)
		}
	}
	return m, true, nil
}

// StampFile amends the manifest in the state folder for a run that
// restamped the status page (see Manifest.Restamp).
const StampFile = "outbox-stamp.json"

// stamp is the content of StampFile.
type stamp struct {
	Manifest int64     `json:"manifest_run"` // the RunID of the manifest it amends
	Now      time.Time `json:"now"`
	File     File      `json:"file"` // the file as restamped
}

// Restamp records that a run at now rewrote one file of the outbox, f
// (the status page's stamp), without writing the whole manifest again:
// a small file beside it amends it until a run writes a new manifest.
func (m *Manifest) Restamp(state string, now time.Time, f File) error {
	m.Now = now
	m.replace(f)
	b, err := json.Marshal(stamp{Manifest: m.RunID, Now: now, File: f})
	if err == nil {
		err = atomicfile.WriteBytesMode(filepath.Join(state, StampFile), atomicfile.Private, b)
	}
	if err != nil {
		return fmt.Errorf("write the outbox manifest's stamp: %w", err)
	}
	return nil
}

// replace puts f in place of the file of its path.
func (m *Manifest) replace(f File) {
	if i, ok := slices.BinarySearchFunc(m.Files, f.Path, func(a File, p string) int { return strings.Compare(a.Path, p) }); ok {
		m.Files[i] = f
	}
}

// parse reads a manifest: a JSON header line, then one line per file,
// "size mtime_ns mode path" with the path quoted.
func parse(b []byte) (*Manifest, error) {
	head, rest, ok := bytes.Cut(b, []byte("\n"))
	if !ok {
		return nil, errors.New("no header")
	}
	var m Manifest
	if err := json.Unmarshal(head, &m); err != nil {
		return nil, err
	}
	if !bytes.HasSuffix(rest, []byte("end\n")) {
		return nil, errors.New("truncated")
	}
	rest = rest[:len(rest)-len("end\n")]
	for len(rest) > 0 {
		var line []byte
		line, rest, _ = bytes.Cut(rest, []byte("\n"))
		f := strings.SplitN(string(line), " ", 4)
		if len(f) != 4 {
			return nil, fmt.Errorf("bad line %q", line)
		}
		size, err1 := strconv.ParseInt(f[0], 10, 64)
		mod, err2 := strconv.ParseInt(f[1], 10, 64)
		mode, err3 := strconv.ParseUint(f[2], 10, 32)
		path, err4 := strconv.Unquote(f[3])
		if err := errors.Join(err1, err2, err3, err4); err != nil {
			return nil, fmt.Errorf("bad line %q: %w", line, err)
		}
		m.Files = append(m.Files, File{Path: path, Size: size, ModNS: mod, Mode: fs.FileMode(mode)})
	}
	return &m, nil
}

// Save writes the manifest into the state folder, atomically, readable by
// the owner only.
func (m *Manifest) Save(state string) error {
	m.Version = Version
	head, err := json.Marshal(m)
	if err != nil {
		return fmt.Errorf("write the outbox manifest: %w", err)
	}
	err = atomicfile.WriteMode(filepath.Join(state, ManifestFile), atomicfile.Private, func(w io.Writer) error {
		bw := bufio.NewWriterSize(w, 1<<16)
		bw.Write(head)
		bw.WriteByte('\n')
		var line []byte
		for _, f := range m.Files {
			line = strconv.AppendInt(line[:0], f.Size, 10)
			line = append(line, ' ')
			line = strconv.AppendInt(line, f.ModNS, 10)
			line = append(line, ' ')
			line = strconv.AppendUint(line, uint64(f.Mode), 10)
			line = append(line, ' ')
			line = strconv.AppendQuote(line, f.Path)
			line = append(line, '\n')
			bw.Write(line)
		}
		bw.WriteString("end\n")
		return bw.Flush()
	})
	if err != nil {
		return fmt.Errorf("write the outbox manifest: %w", err)
	}
	return nil
}

// Remove deletes the state folder's manifest: called before a run writes
// the outbox, so that a run that stops halfway leaves none.
func Remove(state string) error {
	for _, f := range []string{ManifestFile, StampFile} {
		if err := os.Remove(filepath.Join(state, f)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("remove the outbox manifest: %w", err)
		}
	}
	return nil
}
