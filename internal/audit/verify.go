package audit

import (
	"context"
	"fmt"
	"sort"

	"sidi/internal/store"
)

// Check is the outcome of one guarantee of VerifyAll.
type Check struct {
	Guarantee string `json:"guarantee"` // GuaranteeLinks … GuaranteeRoles
	Label     string `json:"label"`
	OK        bool   `json:"ok"`
	Warning   bool   `json:"warning,omitempty"` // passed, with a caveat the operator should act on
	Detail    string `json:"detail"`
}

// Report is what `sidi audit verify` prints: each guarantee separately.
type Report struct {
	Audit   ChainHead `json:"audit_head"`
	Login   ChainHead `json:"login_head"`
	Records int64     `json:"records"`
	Logins  int64     `json:"logins"`
	Checks  []Check   `json:"checks"`
}

// OK says whether every guarantee holds.
func (r *Report) OK() bool {
	for _, c := range r.Checks {
		if !c.OK {
			return false
		}
	}
	return true
}

// Failed lists the guarantees that do not hold.
func (r *Report) Failed() []string {
	var out []string
	for _, c := range r.Checks {
		if !c.OK {
			out = append(out, c.Guarantee)
		}
	}
	return out
}

// Check returns the outcome of guarantee g.
func (r *Report) Check(g string) Check {
	for _, c := range r.Checks {
		if c.Guarantee == g {
			return c
		}
	}
	return Check{}
}

// VerifyAll checks every guarantee of the audit trail: (a) the audit chain
// links, (b) each record matches its keyed hash (the unkeyed legacy form
// only below the bound the first checkpoint fixed), (c) both chains still
// hold every checkpointed head and are not shorter than the newest one, (d)
// the login log chain, and (e) on PostgreSQL, whether this connection owns
// the tables. The error is for failures to read, not for broken chains.
func VerifyAll(ctx context.Context, db *store.DB) (*Report, error) {
	if db.AuditKey() == nil {
		return nil, ErrNoKey
	}
	cps, err := ReadCheckpoints(db)
	if err != nil {
		return nil, err
	}
	al, _ := legacyFrom(cps, ChainAudit)
	ll, _ := legacyFrom(cps, ChainLogin)
	wanted := map[string]map[int64]string{ChainAudit: {}, ChainLogin: {}}
	var cpProblems []string
	newest := map[string]Checkpoint{}
	count := map[string]int{}
	for _, c := range cps {
		if !c.Valid {
			cpProblems = append(cpProblems, fmt.Sprintf("line %d of %s is not signed by the audit key: the file was edited (检查点文件第 %d 行签名不符，文件被改动)", c.Line, CheckpointFile, c.Line))
			continue
		}
		m, ok := wanted[c.Chain]
		if !ok {
			cpProblems = append(cpProblems, fmt.Sprintf("line %d names an unknown chain %q (检查点第 %d 行链名未知)", c.Line, c.Chain, c.Line))
			continue
		}
		count[c.Chain]++
		first, _ := legacyFrom(cps, c.Chain)
		if c.Legacy != first {
			cpProblems = append(cpProblems, fmt.Sprintf("line %d moves the legacy bound of %s from %d to %d (检查点第 %d 行改变了旧记录范围)", c.Line, c.Chain, first, c.Legacy, c.Line))
		}
		if c.Seq == 0 {
			continue
		}
		if h, ok := m[c.Seq]; ok && h != c.Hash {
			cpProblems = append(cpProblems, fmt.Sprintf("%s record %d was checkpointed with two different hashes: it was rewritten between checkpoints (第 %d 条在两个检查点中哈希不同，两次检查点之间被改写)", c.Chain, c.Seq, c.Seq))
		}
		m[c.Seq] = c.Hash
		if c.Seq >= newest[c.Chain].Seq {
			newest[c.Chain] = c
		}
	}
	rep := &Report{}
	aw, err := walkAudit(ctx, db, al, wanted[ChainAudit])
	if err != nil {
		return nil, err
	}
	lw, err := walkLogin(ctx, db, ll, wanted[ChainLogin])
	if err != nil {
		return nil, err
	}
	rep.Audit, rep.Login, rep.Records, rep.Logins = aw.head, lw.head, aw.count, lw.count

	a := Check{Guarantee: GuaranteeLinks, Label: "(a) 审计链链接 chain links (prev-hash)", OK: aw.links == nil}
	if aw.links != nil {
		a.Detail = describeBreak(aw.links)
	} else {
		a.Detail = fmt.Sprintf("%d 条记录首尾相连 records linked", aw.count)
	}
	b := Check{Guarantee: GuaranteeIntegrity, Label: "(b) 记录完整性（密钥签名 HMAC；旧记录 SHA-256） record integrity (keyed HMAC; legacy SHA-256)", OK: aw.integrity == nil}
	if aw.integrity != nil {
		b.Detail = describeBreak(aw.integrity)
	} else if al > 0 {
		b.Detail = fmt.Sprintf("第 1–%d 条为密钥启用前的旧记录（SHA-256），其后均有密钥签名 records 1–%d predate the key (SHA-256); all later ones carry a valid HMAC", al, al)
	} else {
		b.Detail = "全部记录均有有效的密钥签名 every record carries a valid HMAC"
	}

	c := Check{Guarantee: GuaranteeCheckpoints, Label: "(c) 检查点（截断、尾部改写） checkpoints (truncation, rewritten tail)"}
	for _, chain := range []struct {
		name, zh string
		w        *walk
	}{{ChainAudit, "审计记录", aw}, {ChainLogin, "登录日志", lw}} {
		if n, ok := newest[chain.name]; ok && n.Seq > chain.w.head.Seq {
			cpProblems = append(cpProblems, fmt.Sprintf("%s被截断：检查点记录第 %d 条，数据库只有 %d 条 (%s chain truncated: checkpoint at %d, database holds %d)", chain.zh, n.Seq, chain.w.head.Seq, chain.name, n.Seq, chain.w.head.Seq))
		}
		if chain.w.checkpoint != nil {
			cpProblems = append(cpProblems, fmt.Sprintf("%s第 %d 条与检查点不符：检查点之后被改写 (%s record %d differs from its checkpoint: rewritten after it)", chain.zh, chain.w.checkpoint.Seq, chain.name, chain.w.checkpoint.Seq))
		}
		if count[chain.name] == 0 && chain.w.count > 0 {
			cpProblems = append(cpProblems, fmt.Sprintf("%s没有任何检查点，无法发现截断（%s 缺失或被删除） no checkpoint of the %s chain: truncation cannot be detected", chain.zh, CheckpointFile, chain.name))
		}
	}
	sort.Strings(cpProblems)
	c.OK = len(cpProblems) == 0
	if c.OK {
		c.Detail = fmt.Sprintf("%d 个检查点均与数据库一致 checkpoints all held; newest: 审计 %d 条，登录 %d 条", len(cps), newest[ChainAudit].Seq, newest[ChainLogin].Seq)
	} else {
		c.Detail = joinLines(cpProblems)
	}

	d := Check{Guarantee: GuaranteeLoginChain, Label: "(d) 登录日志链 login log chain", OK: lw.links == nil && lw.integrity == nil}
	if !d.OK {
		var p []string
		for _, e := range []*BrokenLinkError{lw.links, lw.integrity} {
			if e != nil {
				p = append(p, describeBreak(e))
			}
		}
		d.Detail = joinLines(p)
	} else if ll > 0 {
		d.Detail = fmt.Sprintf("%d 条登录记录首尾相连且签名有效；编号 ≤ %d 的旧记录早于登录链 %d entries linked and signed; entries with id ≤ %d predate the chain", lw.count, ll, lw.count, ll)
	} else {
		d.Detail = fmt.Sprintf("%d 条登录记录首尾相连且签名有效 entries linked and signed", lw.count)
	}
	rep.Checks = []Check{a, b, c, d}

	if db.Dialect() == store.Postgres {
		rs, err := db.Roles(ctx)
		if err != nil {
			return nil, err
		}
		e := Check{Guarantee: GuaranteeRoles, Label: "(e) 数据库角色（服务不拥有表） database roles (the server does not own the tables)", OK: len(rs.Loose) == 0}
		switch {
		case len(rs.Loose) > 0:
			e.Detail = "以下角色可改写或清空日志表 these roles may rewrite the log tables: " + joinList(rs.Loose)
		case rs.CurrentIsOwner || rs.Superuser:
			e.Warning = true
			e.Detail = fmt.Sprintf("本次以表所有者或超级用户 %s 连接；服务须以非所有者角色运行（sidi migrate --grant ROLE） connected as the owner or a superuser (%s): the server must run as a non-owner role", rs.Current, rs.Current)
		default:
			e.Detail = fmt.Sprintf("当前角色 %s 不拥有日志表（所有者 %s） role %s does not own the log tables (owner %s)", rs.Current, rs.Owner, rs.Current, rs.Owner)
		}
		rep.Checks = append(rep.Checks, e)
	}
	return rep, nil
}

func describeBreak(e *BrokenLinkError) string {
	if e.Seq == 0 {
		return e.Reason
	}
	return fmt.Sprintf("第 %d 条 record %d: %s", e.Seq, e.Seq, e.Reason)
}

func joinLines(p []string) string {
	out := ""
	for i, s := range p {
		if i > 0 {
			out += "\n    "
		}
		out += s
	}
	return out
}

func joinList(p []string) string {
	out := ""
	for i, s := range p {
		if i > 0 {
			out += "; "
		}
		out += s
	}
	return out
}
