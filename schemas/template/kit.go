package template

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"

	"doithoai/pipeline/atomicfile"
	"doithoai/pipeline/plan"
	"doithoai/pipeline/record"
	"doithoai/pipeline/vntext"
	"doithoai/schemas"
	"doithoai/schemas/template/xlsxzip"
)

// KitVersion is the version of the communes' blank forms. Raise it when a
// change of this package changes what WriteKit writes, so that every run's
// Sync rewrites the forms already in the outbox.
const KitVersion = 1

// StampFile is the file, in the kit folder, that records which plan and
// kit version the forms there were written from.
const StampFile = ".mau-phien-ban.json"

// kitForms are the forms of a commune's kit, with their file names.
var kitForms = []struct {
	form record.Form
	file string
}{
	{record.FormM1, "M1-danh-sach-ho-du-kien-thoat-ngheo.xlsx"},
	{record.FormM2, "M2-danh-sach-dai-dien-ho-tham-gia-doi-thoai.xlsx"},
	{record.FormM3, "M3-danh-sach-thanh-phan-cap-xa.xlsx"},
	{record.FormM4, "M4-tong-hop-y-kien-kien-nghi.xlsx"},
	{record.FormM5, "M5-ket-qua-doi-thoai.xlsx"},
}

// KitFileName is the file name of a form in a commune's kit
// ("M1-danh-sach-ho-du-kien-thoat-ngheo.xlsx"), or "" for another form.
func KitFileName(form record.Form) string {
	for _, k := range kitForms {
		if k.form == form {
			return k.file
		}
	}
	return ""
}

// KitFolder is the folder name of a commune's kit: its code and its name
// without diacritics, "29956-thuong-phuoc-1".
func KitFolder(c *plan.Commune) string {
	var b strings.Builder
	for _, r := range vntext.Fold(c.Name) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == ' ':
			b.WriteByte('-')
		}
	}
	slug := strings.Trim(b.String(), "-")
	if slug == "" {
		return c.Code
	}
	return c.Code + "-" + slug
}

// KitOptions are the options of a commune's blank form in the kit: the
// header block, a line naming the year and cluster, blank rows for the
// commune's size, drop-down lists, hints, protection and the guide sheet.
func KitOptions(p *plan.Plan, form record.Form, c *plan.Commune) Options {
	n := len(c.Hamlets)
	rows := map[record.Form]int{
		record.FormM1: max(30, 10*n),
		record.FormM2: max(10, p.Quotas.HouseholdReps*n+5),
		record.FormM3: max(10, p.Quotas.CommuneDelegates+p.Quotas.HamletHeads*n+3),
		record.FormM4: max(20, 5*n),
		record.FormM5: 3,
	}[form]
	ref := fmt.Sprintf("(Đối thoại chính sách giảm nghèo năm %d", p.Year)
	if cl := p.Cluster(c.Cluster); cl != nil {
		ref += " – " + cl.Name
	}
	ref += ")"
	return Options{
		Form: form, Commune: c.Code, Sheets: []Sheet{{}}, Reference: ref,
		BlankRows: rows, Hints: true, Protect: true, Guide: true,
	}
}

// WriteKit writes the blank forms M1–M5 of one commune (code or name) into
// dir/KitFolder(commune)/ and returns the paths written.
func WriteKit(ctx context.Context, dir string, p *plan.Plan, commune string) ([]string, error) {
	// One kit's forms are all of different shapes: excelize writes them.
	return writeKit(ctx, dir, p, commune, &kitWriter{cache: xlsxzip.NewCache(0, 0)})
}

// writeKit is WriteKit writing through kw, which several kits may share.
func writeKit(ctx context.Context, dir string, p *plan.Plan, commune string, kw *kitWriter) ([]string, error) {
	if p == nil {
		return nil, errors.New("template: no plan")
	}
	c, err := resolveCommune(p, commune)
	if err != nil {
		return nil, fmt.Errorf("template: %w", err)
	}
	var out []string
	for _, k := range kitForms {
		if err := ctx.Err(); err != nil {
			return out, err
		}
		path := filepath.Join(dir, KitFolder(c), k.file)
		if err := kw.write(path, p, KitOptions(p, k.form, c)); err != nil {
			return out, err
		}
		out = append(out, path)
	}
	return out, nil
}

// stamp is the content of StampFile.
type stamp struct {
	Version int      `json:"version"`
	SHA256  string   `json:"sha256"` // of the kit version, the plan and the schemas
	Folders []string `json:"folders"`
}

// kitHash identifies what the kit is made from.
func kitHash(p *plan.Plan) (string, error) {
	h := sha256.New()
	fmt.Fprintf(h, "doithoai kit %d\n", KitVersion)
	h.Write(p.Source())
	for _, sc := range schemas.All() {
		b, err := schemas.Raw(sc.Name)
		if err != nil {
			return "", fmt.Errorf("template: schema %s: %w", sc.Name, err)
		}
		h.Write(b)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// SyncResult tells what Sync did.
type SyncResult struct {
	// Written is true when the forms were (re)written.
	Written bool
	// Files are the forms written.
	Files []string
	// Removed are the kit folders of communes no longer in the plan.
	Removed []string
}

// Sync keeps dir holding the kit of every commune of the plan: when the
// plan, the schemas or KitVersion differ from those recorded in
// dir/StampFile, or a form is missing, it rewrites every commune's forms
// (each atomically), removes the forms of communes the plan no longer has,
// and records the new stamp last, so an interrupted Sync is redone by the
// next. force rewrites even when nothing changed. Otherwise it writes
// nothing.
func Sync(ctx context.Context, dir string, p *plan.Plan, force bool) (SyncResult, error) {
	var res SyncResult
	if p == nil {
		return res, errors.New("template: no plan")
	}
	sum, err := kitHash(p)
	if err != nil {
		return res, err
	}
	var folders []string
	for _, c := range p.Communes() {
		folders = append(folders, KitFolder(c))
	}
	old, err := readStamp(dir)
	if err != nil {
		return res, err
	}
	if !force && old.SHA256 == sum && old.Version == KitVersion && complete(dir, folders) {
		return res, nil
	}
	files, err := writeKits(ctx, dir, p, runtime.GOMAXPROCS(0))
	res.Files = files
	if err != nil {
		return res, err
	}
	res.Written = true
	for _, f := range old.Folders {
		if slices.Contains(folders, f) || f != filepath.Base(f) || f == "." || f == ".." {
			continue
		}
		if removeKit(filepath.Join(dir, f)) {
			res.Removed = append(res.Removed, f)
		}
	}
	b, err := json.MarshalIndent(stamp{Version: KitVersion, SHA256: sum, Folders: folders}, "", "  ")
	if err != nil {
		return res, fmt.Errorf("template: %w", err)
	}
	if err := atomicfile.WriteBytes(filepath.Join(dir, StampFile), append(b, '\n')); err != nil {
		return res, fmt.Errorf("template: %w", err)
	}
	return res, nil
}

// readStamp reads dir's stamp; a missing or unreadable stamp is empty (the
// kit is then rewritten).
func readStamp(dir string) (stamp, error) {
	var s stamp
	b, err := os.ReadFile(filepath.Join(dir, StampFile))
	if errors.Is(err, fs.ErrNotExist) {
		return s, nil
	}
	if err != nil {
		return s, fmt.Errorf("template: read the kit stamp: %w", err)
	}
	if json.Unmarshal(b, &s) != nil {
		return stamp{}, nil
	}
	return s, nil
}

// complete reports whether every commune folder holds every form.
func complete(dir string, folders []string) bool {
	for _, f := range folders {
		for _, k := range kitForms {
			if _, err := os.Stat(filepath.Join(dir, f, k.file)); err != nil {
				return false
			}
		}
	}
	return true
}

// removeKit removes the kit's forms from a folder, and the folder when it
// is then empty; anything else a person put there stays.
func removeKit(folder string) bool {
	removed := false
	for _, k := range kitForms {
		if os.Remove(filepath.Join(folder, k.file)) == nil {
			removed = true
		}
	}
	_ = os.Remove(folder) // only when empty
	return removed
}

// writeKits writes every commune's kit (WriteKit), workers communes at
// once, and returns the files in the plan's commune order; on an error it
// returns the files of the communes before the first that failed, and
// that error.
func writeKits(ctx context.Context, dir string, p *plan.Plan, workers int) ([]string, error) {
	return writeKitsWith(ctx, dir, p, workers, newKitWriter()) // the communes' forms share most parts and shapes
}

// writeKitsWith is writeKits through kw.
func writeKitsWith(ctx context.Context, dir string, p *plan.Plan, workers int, kw *kitWriter) ([]string, error) {
	communes := p.Communes()
	type result struct {
		files []string
		err   error
	}
	results := make([]result, len(communes))
	jobs := make(chan int)
	var wg sync.WaitGroup
	for range max(1, workers) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				files, err := writeKit(ctx, dir, p, communes[i].Code, kw)
				results[i] = result{files, err}
			}
		}()
	}
feed:
	for i := range communes {
		select {
		case jobs <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(jobs)
	wg.Wait()
	var out []string
	for _, r := range results {
		out = append(out, r.files...)
		if r.err != nil {
			return out, r.err
		}
	}
	return out, ctx.Err()
}
