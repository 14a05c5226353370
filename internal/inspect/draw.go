package inspect

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math/bits"
	"slices"
	"sort"
	"strconv"
	"strings"

	"sidi/internal/kit"
)

// Algorithm is the version of the draw algorithm a record names. A record
// of another version is refused by Verify, never recomputed differently.
//
// sidi-draw/1, written so that anyone can reimplement it:
//
//  1. Stream. The seed is 32 bytes (hex in the record). For a label L (a
//     UTF-8 string), block i (i = 0, 1, …) is SHA-256(seed ‖ L ‖ 0x00 ‖
//     i as 8 bytes big-endian); the stream is block 0, block 1, … read
//     byte by byte.
//  2. Uniform integer below n (n ≥ 1). Read the next 8 bytes of the stream
//     as a big-endian unsigned 64-bit x. If x < (2^64 mod n), discard it
//     and read the next 8; otherwise the result is x mod n (no bias).
//  3. Strata. The candidates are grouped by risk class A, B, C, D and
//     sorted by credit code (byte order) inside each class. For a class
//     with n candidates and ratio r (at most six decimals, 0 ≤ r ≤ 1),
//     k = ceil(r × n) computed exactly in millionths: (r×10^6 × n + 999999)
//     div 10^6. A class absent from the ratios draws none.
//  4. Draw without replacement, class by class in the order A, B, C, D,
//     each with its own stream labelled "draw:" + class: a partial
//     Fisher–Yates shuffle of the positions 0…n−1: for i = 0…k−1, j = i +
//     uniform(n − i), swap positions i and j. The entities drawn are those
//     at positions 0…k−1, in that order.
//  5. Teams. The inspectors sorted by certificate number are shuffled
//     completely with the stream "inspectors" (the same Fisher–Yates for
//     i = 0…m−2, j = i + uniform(m − i)). Every inspector has a load (0 at
//     first) and waits in a queue of its load level in that shuffled order.
//     For each drawn entity in draw order (classes A to D), the team is the
//     first team_size eligible inspectors walking the levels from the
//     lowest load up, each level's queue from its head. An inspector is not
//     eligible for an entity that it declared as a conflict (回避企业), whose
//     name is the inspector's unit (单位) or which it inspected last time
//     (last_inspectors). Each member chosen, in team order, leaves its queue,
//     its load grows by one and it joins the tail of the next level's
//     queue. Fewer than team_size eligible inspectors refuses the draw.
//  6. Hashes. candidates_sha256 is SHA-256 of the lines "class,credit
//     code\n" in the record's order; inspectors_sha256 of the lines
//     "number,unit entity,conflict;conflict…\n" (conflicts sorted) in the
//     record's order, then one line "last" and the lines "entity,inspector;
//     …\n" of last_inspectors sorted by entity; result_sha256 of the lines
//     "entity,class,inspector;inspector…\n" of the assignments in order.
//
// A redraw after an avoidance claim (kind "redraw") replaces one member of
// one entity's team: among the inspectors neither on the team nor in
// conflict with the entity (its declared and unit conflicts, its last
// inspectors and the withdrawn inspector), those of the lowest load of the
// parent draw; the one at position uniform(count) of them sorted by
// number, with the stream labelled "redraw:" + entity + ":" + withdrawn.
const Algorithm = "sidi-draw/1"

// Classes are the credit-risk classes in draw order (国市监信发〔2022〕6号).
var Classes = []string{"A", "B", "C", "D"}

// ClassLabels name the classes.
var ClassLabels = map[string]string{"A": "A 低风险", "B": "B 一般风险", "C": "C 较高风险", "D": "D 高风险"}

// Ratio is a share 0–1 kept exactly in millionths (JSON: a number with at
// most six decimals).
type Ratio int64

// ParseRatio reads "0.03", "1", "0.125" as millionths.
func ParseRatio(s string) (Ratio, error) {
	s = strings.TrimSpace(s)
	whole, frac, _ := strings.Cut(s, ".")
	if whole == "" || len(frac) > 6 || strings.ContainsAny(s, "eE+-") {
		return 0, fmt.Errorf("比例“%s”须为 0 到 1 之间、最多六位小数的数", kit.ClipRunes(s, 20))
	}
	for len(frac) < 6 {
		frac += "0"
	}
	n, err := strconv.ParseInt(whole+frac, 10, 64)
	if err != nil || n < 0 || n > 1_000_000 {
		return 0, fmt.Errorf("比例“%s”须在 0 到 1 之间", kit.ClipRunes(s, 20))
	}
	return Ratio(n), nil
}

func (r Ratio) String() string {
	s := strings.TrimRight(fmt.Sprintf("%d.%06d", r/1_000_000, r%1_000_000), "0")
	return strings.TrimSuffix(s, ".")
}

// MarshalJSON writes the ratio as a JSON number.
func (r Ratio) MarshalJSON() ([]byte, error) { return []byte(r.String()), nil }

// UnmarshalJSON reads a JSON number (or a string holding one).
func (r *Ratio) UnmarshalJSON(b []byte) error {
	s := string(bytes.Trim(b, `"`))
	v, err := ParseRatio(s)
	if err != nil {
		return err
	}
	*r = v
	return nil
}

// Take is ceil(r × n), exactly.
func (r Ratio) Take(n int) int { return int((int64(r)*int64(n) + 999_999) / 1_000_000) }

// Scope selects the candidate entities.
type Scope struct {
	RegionPrefix string   `json:"region_prefix"`
	Types        []string `json:"types,omitempty"`
}

// Task is what a draw is asked to do (TASK.json).
type Task struct {
	Name     string           `json:"name"`
	Items    []string         `json:"items"`
	Scope    Scope            `json:"scope"`
	Ratios   map[string]Ratio `json:"ratios"`
	TeamSize int              `json:"team_size"`
}

// Stratum is the frozen candidates of one class, sorted by credit code.
type Stratum struct {
	Class string   `json:"class"`
	IDs   []string `json:"ids"`
}

// Inspector is an inspector as the draw sees it.
type Inspector struct {
	ID         string   `json:"id"`                    // 执法证号
	UnitEntity string   `json:"unit_entity,omitempty"` // credit code of the entity named as its unit, where known
	Avoid      []string `json:"avoid,omitempty"`       // declared conflicts (credit codes), sorted
}

// Assignment is one drawn entity and its team.
type Assignment struct {
	Entity string   `json:"entity"`
	Class  string   `json:"class"`
	Team   []string `json:"team"`
}

// StratumResult says how many of a class were drawn.
type StratumResult struct {
	Class      string `json:"class"`
	Candidates int    `json:"candidates"`
	Ratio      Ratio  `json:"ratio"`
	Drawn      int    `json:"drawn"`
}

// Result is the outcome of a draw.
type Result struct {
	Strata      []StratumResult `json:"strata"`
	Assignments []Assignment    `json:"assignments"`
	SHA256      string          `json:"result_sha256"`
}

// Redraw is what a redraw replaces, and the parent's state it starts from.
type Redraw struct {
	ParentID     int64          `json:"parent_id"`
	ParentResult string         `json:"parent_result_sha256"`
	Entity       string         `json:"entity"`
	Class        string         `json:"class"`
	Team         []string       `json:"team"`
	Withdrawn    string         `json:"withdrawn"`
	Reason       string         `json:"reason"`
	Loads        map[string]int `json:"loads"` // every inspector's load in the parent
}

// Record is the published record of a draw (RECORD.json): everything a
// citizen needs to recompute it without the database.
type Record struct {
	Algorithm        string              `json:"algorithm"`
	Kind             string              `json:"kind"` // draw | redraw
	DrawID           int64               `json:"draw_id,omitempty"`
	Task             Task                `json:"task"`
	CommittedAt      string              `json:"committed_at,omitempty"`
	DrawnAt          string              `json:"drawn_at,omitempty"`
	SeedSHA256       string              `json:"seed_sha256"`
	Seed             string              `json:"seed"`
	CandidatesSHA256 string              `json:"candidates_sha256"`
	Candidates       []Stratum           `json:"candidates"`
	InspectorsSHA256 string              `json:"inspectors_sha256"`
	Inspectors       []Inspector         `json:"inspectors"`
	Last             map[string][]string `json:"last_inspectors,omitempty"`
	Redraw           *Redraw             `json:"redraw,omitempty"`
	Notes            []string            `json:"notes,omitempty"`
	Result           Result              `json:"result"`
}

// stream is the SHA-256 counter-mode byte stream of step 1.
type stream struct {
	prefix []byte
	ctr    uint64
	buf    [32]byte
	pos    int
}

func newStream(seed []byte, label string) *stream {
	p := make([]byte, 0, len(seed)+len(label)+9)
	p = append(append(append(p, seed...), label...), 0)
	return &stream{prefix: p, pos: 32}
}

func (s *stream) next8() uint64 {
	var out [8]byte
	for i := range out {
		if s.pos == 32 {
			h := sha256.New()
			h.Write(s.prefix)
			var c [8]byte
			binary.BigEndian.PutUint64(c[:], s.ctr)
			h.Write(c[:])
			h.Sum(s.buf[:0])
			s.ctr++
			s.pos = 0
		}
		out[i] = s.buf[s.pos]
		s.pos++
	}
	return binary.BigEndian.Uint64(out[:])
}

// uniform is step 2: an unbiased integer in [0, n).
func (s *stream) uniform(n uint64) uint64 {
	if n == 0 {
		panic("inspect: uniform(0)")
	}
	reject := (0 - n) % n // 2^64 mod n
	for {
		x := s.next8()
		if x >= reject {
			_, r := bits.Div64(0, x, n)
			return r
		}
	}
}

// DrawError is a draw refused for its input (nothing is drawn).
type DrawError struct{ Msg string }

func (e *DrawError) Error() string { return e.Msg }

func refuse(format string, args ...any) error { return &DrawError{Msg: fmt.Sprintf(format, args...)} }

// CheckTask checks a task's own fields (the library checks come later).
func CheckTask(t Task) error {
	var msgs []string
	if strings.TrimSpace(t.Name) == "" || len([]rune(t.Name)) > 200 {
		msgs = append(msgs, "任务名称（name）须填写，不超过 200 字")
	}
	if len(t.Items) == 0 {
		msgs = append(msgs, "须列出至少一个检查事项编码（items）")
	}
	if t.TeamSize < 2 || t.TeamSize > 20 {
		msgs = append(msgs, fmt.Sprintf("检查组人数（team_size）须为 2 到 20 人（行政处罚法第四十二条：执法人员不少于两人），收到 %d", t.TeamSize))
	}
	if len(t.Ratios) == 0 {
		msgs = append(msgs, "须按风险等级给出抽查比例（ratios），如 {\"A\":0.03,\"B\":0.05,\"C\":0.1,\"D\":1}")
	}
	for c, r := range t.Ratios {
		if ClassLabels[c] == "" {
			msgs = append(msgs, fmt.Sprintf("风险等级“%s”无效：须为 A、B、C、D", kit.ClipRunes(c, 10)))
		}
		if r < 0 || r > 1_000_000 {
			msgs = append(msgs, fmt.Sprintf("风险等级 %s 的比例须在 0 到 1 之间", c))
		}
	}
	if !digits(t.Scope.RegionPrefix) || len(t.Scope.RegionPrefix) > 12 {
		msgs = append(msgs, fmt.Sprintf("区划范围（scope.region_prefix）“%s”须为行政区划代码的开头数字，如 63 或 6301", kit.ClipRunes(t.Scope.RegionPrefix, 20)))
	}
	if len(msgs) > 0 {
		sort.Strings(msgs)
		return refuse("抽查任务无效，未抽取：%s", strings.Join(msgs, "；"))
	}
	return nil
}

func digits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// ParseTask reads TASK.json strictly (unknown fields refused).
func ParseTask(b []byte) (Task, error) {
	var t Task
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&t); err != nil {
		return t, refuse("抽查任务文件无法读取：%v", err)
	}
	if dec.More() {
		return t, refuse("抽查任务文件在 JSON 对象之后还有内容")
	}
	return t, CheckTask(t)
}

// hashLines returns the hex SHA-256 of the lines written by fn.
func hashLines(fn func(w func(parts ...string))) string {
	h := sha256.New()
	buf := make([]byte, 0, 64<<10) // lines are hashed in chunks
	fn(func(parts ...string) {
		for i, p := range parts {
			if i > 0 {
				buf = append(buf, ',')
			}
			buf = append(buf, p...)
		}
		buf = append(buf, '\n')
		if len(buf) >= 60<<10 {
			h.Write(buf)
			buf = buf[:0]
		}
	})
	h.Write(buf)
	return hex.EncodeToString(h.Sum(nil))
}

// CandidatesHash is step 6's candidates_sha256.
func CandidatesHash(strata []Stratum) string {
	return hashLines(func(w func(...string)) {
		for _, s := range strata {
			for _, id := range s.IDs {
				w(s.Class, id)
			}
		}
	})
}

// InspectorsHash is step 6's inspectors_sha256.
func InspectorsHash(ins []Inspector, last map[string][]string) string {
	keys := make([]string, 0, len(last))
	for k := range last {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return inspectorsHash(ins, keys, last)
}

// inspectorsHash is InspectorsHash with last's keys already sorted.
func inspectorsHash(ins []Inspector, keys []string, last map[string][]string) string {
	return hashLines(func(w func(...string)) {
		for _, in := range ins {
			w(in.ID, in.UnitEntity, strings.Join(in.Avoid, ";"))
		}
		w("last")
		for _, k := range keys {
			w(k, strings.Join(last[k], ";"))
		}
	})
}

// ResultHash is step 6's result_sha256.
func ResultHash(as []Assignment) string {
	return hashLines(func(w func(...string)) {
		for _, a := range as {
			w(a.Entity, a.Class, strings.Join(a.Team, ";"))
		}
	})
}

// checkInputs checks the frozen lists are in the canonical order, without
// duplicates, so that the same inputs always give the same hashes.
func checkInputs(strata []Stratum, ins []Inspector) error {
	prev := -1
	for _, s := range strata {
		ci := classIndex(s.Class)
		if ci <= prev {
			return refuse("候选名单的风险等级须按 A、B、C、D 排列且不重复（第 %d 组“%s”）", prev+2, kit.ClipRunes(s.Class, 10))
		}
		prev = ci
		for i := 1; i < len(s.IDs); i++ {
			if s.IDs[i] <= s.IDs[i-1] {
				return refuse("候选名单 %s 类须按统一社会信用代码升序且不重复（%s 之后是 %s）", s.Class, s.IDs[i-1], s.IDs[i])
			}
		}
	}
	for i := 1; i < len(ins); i++ {
		if ins[i].ID <= ins[i-1].ID {
			return refuse("检查人员名录须按执法证号升序且不重复（%s 之后是 %s）", ins[i-1].ID, ins[i].ID)
		}
	}
	return nil
}

func classIndex(c string) int {
	for i, k := range Classes {
		if k == c {
			return i
		}
	}
	return -1
}

// Compute runs steps 3–6 over frozen inputs and the seed (hex): the pure
// draw that `sidi draw run` performs after the seed is committed and that
// Verify repeats.
func Compute(task Task, seedHex string, strata []Stratum, ins []Inspector, last map[string][]string) (Result, error) {
	if err := CheckTask(task); err != nil {
		return Result{}, err
	}
	seed, err := hex.DecodeString(seedHex)
	if err != nil || len(seed) != 32 {
		return Result{}, refuse("种子须为 64 位十六进制数（32 字节）")
	}
	if err := checkInputs(strata, ins); err != nil {
		return Result{}, err
	}
	if task.TeamSize > len(ins) {
		return Result{}, refuse("检查组人数 %d 大于可派检查人员数 %d，未抽取", task.TeamSize, len(ins))
	}
	var res Result
	var drawn []Assignment
	for _, s := range strata {
		r := task.Ratios[s.Class]
		n := len(s.IDs)
		k := r.Take(n)
		res.Strata = append(res.Strata, StratumResult{Class: s.Class, Candidates: n, Ratio: r, Drawn: k})
		if k == 0 {
			continue
		}
		st := newStream(seed, "draw:"+s.Class)
		perm := make([]int32, n)
		for i := range perm {
			perm[i] = int32(i)
		}
		for i := 0; i < k; i++ {
			j := i + int(st.uniform(uint64(n-i)))
			perm[i], perm[j] = perm[j], perm[i]
		}
		for _, p := range perm[:k] {
			drawn = append(drawn, Assignment{Entity: s.IDs[p], Class: s.Class})
		}
	}
	if err := assignTeams(seed, task.TeamSize, ins, last, drawn); err != nil {
		return Result{}, err
	}
	res.Assignments = drawn
	if res.Assignments == nil {
		res.Assignments = []Assignment{}
	}
	res.SHA256 = ResultHash(res.Assignments)
	return res, nil
}

// queues are the load levels of step 5: one doubly linked FIFO per level.
type queues struct {
	next, prev []int32
	load       []int
	head, tail []int32
}

func (q *queues) push(i int32) {
	l := q.load[i]
	for len(q.head) <= l {
		q.head, q.tail = append(q.head, -1), append(q.tail, -1)
	}
	q.next[i], q.prev[i] = -1, q.tail[l]
	if q.tail[l] >= 0 {
		q.next[q.tail[l]] = i
	} else {
		q.head[l] = i
	}
	q.tail[l] = i
}

func (q *queues) remove(i int32) {
	l := q.load[i]
	if q.prev[i] >= 0 {
		q.next[q.prev[i]] = q.next[i]
	} else {
		q.head[l] = q.next[i]
	}
	if q.next[i] >= 0 {
		q.prev[q.next[i]] = q.prev[i]
	} else {
		q.tail[l] = q.prev[i]
	}
}

// conflicts maps an entity to the inspectors (indices) who declared it
// or whose unit it is, and an inspector's id to its index. Last time's
// team of an entity is looked up for the drawn entities only (assignTeams).
func conflicts(ins []Inspector) (map[string][]int32, map[string]int32) {
	byID := make(map[string]int32, len(ins))
	for i, in := range ins {
		byID[in.ID] = int32(i)
	}
	out := map[string][]int32{}
	for i, in := range ins {
		for _, e := range in.Avoid {
			out[e] = append(out[e], int32(i))
		}
		if in.UnitEntity != "" {
			out[in.UnitEntity] = append(out[in.UnitEntity], int32(i))
		}
	}
	return out, byID
}

func assignTeams(seed []byte, size int, ins []Inspector, last map[string][]string, drawn []Assignment) error {
	m := len(ins)
	if len(drawn) == 0 {
		return nil
	}
	order := make([]int32, m)
	for i := range order {
		order[i] = int32(i)
	}
	st := newStream(seed, "inspectors")
	for i := 0; i < m-1; i++ {
		j := i + int(st.uniform(uint64(m-i)))
		order[i], order[j] = order[j], order[i]
	}
	q := &queues{next: make([]int32, m), prev: make([]int32, m), load: make([]int, m)}
	for _, i := range order {
		q.push(i)
	}
	bad, byID := conflicts(ins)
	blocked := make([]bool, m)
	// block marks (or clears) who may not go to e: declared conflicts,
	// e's unit, and e's team last time.
	block := func(e string, v bool) {
		for _, i := range bad[e] {
			blocked[i] = v
		}
		for _, id := range last[e] {
			if i, ok := byID[id]; ok {
				blocked[i] = v
			}
		}
	}
	low := 0 // no queue below low holds anyone
	team := make([]int32, 0, size)
	for a := range drawn {
		e := drawn[a].Entity
		block(e, true)
		team = team[:0]
		for l := low; l < len(q.head) && len(team) < size; l++ {
			for i := q.head[l]; i >= 0 && len(team) < size; i = q.next[i] {
				if !blocked[i] {
					team = append(team, i)
				}
			}
		}
		block(e, false)
		if len(team) < size {
			return refuse("抽中的检查对象 %s 回避后可派检查人员只有 %d 名，少于检查组人数 %d，未抽取", e, len(team), size)
		}
		names := make([]string, len(team))
		for k, i := range team {
			q.remove(i)
			q.load[i]++
			q.push(i)
			names[k] = ins[i].ID
		}
		drawn[a].Team = names
		for low < len(q.head) && q.head[low] < 0 {
			low++
		}
	}
	return nil
}

// ComputeRedraw replaces the withdrawn member of one entity's team (the
// redraw rule in the Algorithm comment).
func ComputeRedraw(seedHex string, ins []Inspector, last map[string][]string, rd Redraw) (Result, error) {
	seed, err := hex.DecodeString(seedHex)
	if err != nil || len(seed) != 32 {
		return Result{}, refuse("种子须为 64 位十六进制数（32 字节）")
	}
	if err := checkInputs(nil, ins); err != nil {
		return Result{}, err
	}
	pos := -1
	for i, id := range rd.Team {
		if id == rd.Withdrawn {
			pos = i
		}
	}
	if pos < 0 {
		return Result{}, refuse("申请回避的检查人员 %s 不在对象 %s 的检查组中", rd.Withdrawn, rd.Entity)
	}
	excluded := map[string]bool{rd.Withdrawn: true}
	for _, id := range rd.Team {
		excluded[id] = true
	}
	for _, id := range last[rd.Entity] {
		excluded[id] = true
	}
	best, pool := -1, []string(nil)
	for _, in := range ins {
		if excluded[in.ID] || in.UnitEntity == rd.Entity || slices.Contains(in.Avoid, rd.Entity) {
			continue
		}
		l := rd.Loads[in.ID]
		switch {
		case best < 0 || l < best:
			best, pool = l, []string{in.ID}
		case l == best:
			pool = append(pool, in.ID)
		}
	}
	if len(pool) == 0 {
		return Result{}, refuse("对象 %s 回避后没有可替换的检查人员，未重新抽取", rd.Entity)
	}
	pick := pool[newStream(seed, "redraw:"+rd.Entity+":"+rd.Withdrawn).uniform(uint64(len(pool)))]
	team := append([]string(nil), rd.Team...)
	team[pos] = pick
	as := []Assignment{{Entity: rd.Entity, Class: rd.Class, Team: team}}
	return Result{Assignments: as, SHA256: ResultHash(as)}, nil
}

// SeedHash is the commitment of a seed: hex SHA-256 of its 32 bytes.
func SeedHash(seedHex string) string {
	b, _ := hex.DecodeString(seedHex)
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// Verify recomputes a record without the database. It returns nil only
// when every hash and the whole result are identical; otherwise the
// error names the first difference.
func Verify(rec Record) error {
	if rec.Algorithm != Algorithm {
		return fmt.Errorf("算法版本“%s”不是 %s，无法验证", kit.ClipRunes(rec.Algorithm, 40), Algorithm)
	}
	if len(rec.Seed) != 64 || SeedHash(rec.Seed) != rec.SeedSHA256 {
		return fmt.Errorf("种子与抽取前公布的种子哈希不符：记录的 seed_sha256 为 %s，种子的 SHA-256 为 %s", rec.SeedSHA256, SeedHash(rec.Seed))
	}
	if got := CandidatesHash(rec.Candidates); got != rec.CandidatesSHA256 {
		return fmt.Errorf("候选名单与其哈希不符：记录为 %s，重算为 %s", rec.CandidatesSHA256, got)
	}
	if got := InspectorsHash(rec.Inspectors, rec.Last); got != rec.InspectorsSHA256 {
		return fmt.Errorf("检查人员名录与其哈希不符：记录为 %s，重算为 %s", rec.InspectorsSHA256, got)
	}
	var got Result
	var err error
	switch rec.Kind {
	case "draw":
		got, err = Compute(rec.Task, rec.Seed, rec.Candidates, rec.Inspectors, rec.Last)
	case "redraw":
		if rec.Redraw == nil {
			return fmt.Errorf("回避重抽记录缺少 redraw 部分")
		}
		got, err = ComputeRedraw(rec.Seed, rec.Inspectors, rec.Last, *rec.Redraw)
	default:
		return fmt.Errorf("记录类型“%s”无效（draw 或 redraw）", kit.ClipRunes(rec.Kind, 20))
	}
	if err != nil {
		return fmt.Errorf("按记录的输入重算失败：%w", err)
	}
	return diffResult(rec.Result, got)
}

// diffResult names the first difference between the recorded and the
// recomputed result.
func diffResult(want, got Result) error {
	if len(want.Strata) != len(got.Strata) {
		return fmt.Errorf("分层数不同：记录 %d 层，重算 %d 层", len(want.Strata), len(got.Strata))
	}
	for i := range want.Strata {
		if want.Strata[i] != got.Strata[i] {
			w, g := want.Strata[i], got.Strata[i]
			return fmt.Errorf("第 %d 层不同：记录为 %s 类 %d 户中按 %s 抽 %d 户，重算为 %s 类 %d 户中按 %s 抽 %d 户", i+1, w.Class, w.Candidates, w.Ratio, w.Drawn, g.Class, g.Candidates, g.Ratio, g.Drawn)
		}
	}
	for i := 0; i < min(len(want.Assignments), len(got.Assignments)); i++ {
		w, g := want.Assignments[i], got.Assignments[i]
		if w.Entity != g.Entity || w.Class != g.Class {
			return fmt.Errorf("第 %d 个抽中对象不同：记录为 %s（%s 类），重算为 %s（%s 类）", i+1, w.Entity, w.Class, g.Entity, g.Class)
		}
		if strings.Join(w.Team, ";") != strings.Join(g.Team, ";") {
			return fmt.Errorf("第 %d 个抽中对象 %s 的检查组不同：记录为 %s，重算为 %s", i+1, w.Entity, strings.Join(w.Team, "、"), strings.Join(g.Team, "、"))
		}
	}
	if len(want.Assignments) != len(got.Assignments) {
		return fmt.Errorf("抽中对象数不同：记录 %d 个，重算 %d 个", len(want.Assignments), len(got.Assignments))
	}
	if want.SHA256 != got.SHA256 {
		return fmt.Errorf("结果哈希不同：记录为 %s，重算为 %s", want.SHA256, got.SHA256)
	}
	return nil
}

// ReadRecord parses RECORD.json strictly.
func ReadRecord(b []byte) (Record, error) {
	var rec Record
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&rec); err != nil {
		return rec, fmt.Errorf("抽查记录无法读取：%v", err)
	}
	if dec.More() {
		return rec, fmt.Errorf("抽查记录在 JSON 对象之后还有内容")
	}
	return rec, nil
}
