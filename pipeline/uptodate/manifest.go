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
	Dirs     []Dir    `json:"-"` // every folder below the outbox, sorted by path
}

// File is one file of the outbox as the run left it.
type File struct {
	Path  string // relative to the outbox, '/'-separated
	Size  int64
	ModNS int64 // modification time, Unix nanoseconds
	Mode  fs.FileMode
}

// Dir is one folder under the outbox as the run left it. Its stamp
// (modification and change times) moves whenever an entry is added to it,
// removed from it or renamed in it: while it stays, the folder holds the
// same names (see Manifest.Unchanged).
type Dir struct {
	Path     string // relative to the outbox, '/'-separated
	ModNS    int64  // modification time, Unix nanoseconds
	ChangeNS int64  // inode change time, Unix nanoseconds; 0 where the system does not tell it
	Mode     fs.FileMode
}

// Listing is what the outbox holds: every file (temporaries of an
// unfinished write aside) and every folder below it, each sorted by path.
type Listing struct {
	Files []File
	Dirs  []Dir
}

// Scan lists every file under the outbox (temporaries of an unfinished
// write aside), sorted by path. A missing outbox is empty.
func Scan(outbox string) ([]File, error) {
	l, err := List(outbox)
	return l.Files, err
}

// Stamped reports whether every folder of l has a stamp that
// Manifest.Unchanged can rely on (the system gives change times).
func (l Listing) Stamped() bool {
	for _, d := range l.Dirs {
		if d.ChangeNS == 0 {
			return false
		}
	}
	return true
}

// List lists every file and folder under the outbox, sorted by path; a
// folder's stamp is taken before its entries are read, so that a change
// made while it is listed moves the stamp recorded. A missing outbox is
// empty. The top-level folders are walked at once, one per core.
func List(outbox string) (Listing, error) {
	top, err := os.ReadDir(outbox)
	if errors.Is(err, fs.ErrNotExist) {
		return Listing{}, nil
	}
	if err != nil {
		return Listing{}, fmt.Errorf("list the outbox: %w", err)
	}
	parts := make([]Listing, len(top))
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
		return Listing{}, fmt.Errorf("list the outbox: %w", err)
	}
	var out Listing
	for _, p := range parts {
		out.Files = append(out.Files, p.Files...)
		out.Dirs = append(out.Dirs, p.Dirs...)
	}
	slices.SortFunc(out.Files, func(a, b File) int { return strings.Compare(a.Path, b.Path) })
	slices.SortFunc(out.Dirs, func(a, b Dir) int { return strings.Compare(a.Path, b.Path) })
	return out, nil
}

// walk lists the files and folders of outbox/name (a file or a folder).
func walk(outbox, name string) (Listing, error) {
	var out Listing
	err := filepath.WalkDir(filepath.Join(outbox, name), func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && atomicfile.IsTemp(d.Name()) {
			return nil
		}
		// WalkDir calls this before it reads a folder's entries.
		fi, err := d.Info()
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(outbox, p)
		if err != nil {
			return err
		}
		if d.IsDir() {
			out.Dirs = append(out.Dirs, dirOf(filepath.ToSlash(rel), fi))
			return nil
		}
		out.Files = append(out.Files, Stat(filepath.ToSlash(rel), fi))
		return nil
	})
	return out, err
}

// dirOf is the Dir of rel with the file information fi.
func dirOf(rel string, fi fs.FileInfo) Dir {
	return Dir{Path: rel, ModNS: fi.ModTime().UnixNano(), ChangeNS: changeNS(fi), Mode: fi.Mode()}
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

// parse reads a manifest: a JSON header line, then one line per folder,
// "d mtime_ns ctime_ns mode path", and one per file, "size mtime_ns mode
// path", with the path quoted, then "end".
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
	n := bytes.Count(rest, []byte("\n"))
	m.Files = make([]File, 0, n)
	for len(rest) > 0 {
		var line []byte
		line, rest, _ = bytes.Cut(rest, []byte("\n"))
		dir := bytes.HasPrefix(line, []byte("d "))
		if dir {
			line = line[2:]
		}
		var num [3]int64
		var err error
		for i := range num {
			if num[i], line, err = field(line); err != nil {
				return nil, err
			}
		}
		path, err := unquote(line)
		if err != nil {
			return nil, err
		}
		if dir {
			m.Dirs = append(m.Dirs, Dir{Path: path, ModNS: num[0], ChangeNS: num[1], Mode: fs.FileMode(num[2])})
			continue
		}
		m.Files = append(m.Files, File{Path: path, Size: num[0], ModNS: num[1], Mode: fs.FileMode(num[2])})
	}
	return &m, nil
}

// field is the decimal number that starts a manifest line, and the rest
// of the line after the space that ends it.
func field(line []byte) (int64, []byte, error) {
	i := bytes.IndexByte(line, ' ')
	if i <= 0 || i > 20 {
		return 0, nil, fmt.Errorf("bad manifest line %q", line)
	}
	neg := line[0] == '-'
	digits := line[:i]
	if neg {
		digits = digits[1:]
	}
	var v uint64
	for _, c := range digits {
		if c < '0' || c > '9' || v > (1<<63-1)/10 {
			return 0, nil, fmt.Errorf("bad manifest line %q", line)
		}
		v = v*10 + uint64(c-'0')
	}
	if len(digits) == 0 || v > 1<<63-1 {
		return 0, nil, fmt.Errorf("bad manifest line %q", line)
	}
	if neg {
		return -int64(v), line[i+1:], nil
	}
	return int64(v), line[i+1:], nil
}

// unquote is the path a manifest line ends with (strconv.Quote'd): taken
// as it is when it needs no unescaping, the common case.
func unquote(q []byte) (string, error) {
	if len(q) >= 2 && q[0] == '"' && q[len(q)-1] == '"' && bytes.IndexByte(q, '\\') < 0 && bytes.IndexByte(q[1:len(q)-1], '"') < 0 {
		return string(q[1 : len(q)-1]), nil
	}
	s, err := strconv.Unquote(string(q))
	if err != nil {
		return "", fmt.Errorf("bad manifest path %q: %w", q, err)
	}
	return s, nil
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
		for _, d := range m.Dirs {
			line = append(line[:0], "d "...)
			line = strconv.AppendInt(line, d.ModNS, 10)
			line = append(line, ' ')
			line = strconv.AppendInt(line, d.ChangeNS, 10)
			line = append(line, ' ')
			line = strconv.AppendUint(line, uint64(d.Mode), 10)
			line = append(line, ' ')
			line = strconv.AppendQuote(line, d.Path)
			line = append(line, '\n')
			bw.Write(line)
		}
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
