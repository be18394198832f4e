package plan

import (
	"time"

	"doithoai/pipeline/record"
)

// This file is the one place of the deadline rule (SPEC §3 M4 and KH, §9):
// a form is late when received after its deadline day, the deadline day
// itself being on time, judged in calendar days of the plan's time zone.
// The M4 deadline is the cluster's dialogue date minus the plan's days;
// the KH deadline is the plan's commune_plan date. Which file a form is
// judged on (its first accepted one) is the caller's business.

// OpinionDeadline is the last on-time day for a cluster's opinions (the
// dialogue date minus the plan's days), as midnight in the plan's zone, or
// false when the cluster has no dialogue date yet.
func (p *Plan) OpinionDeadline(cluster int) (time.Time, bool) {
	c := p.Cluster(cluster)
	if c == nil || !c.DialogueDate.Set {
		return time.Time{}, false
	}
	return c.DialogueDate.In(p.Location()).AddDate(0, 0, -p.Deadlines.OpinionsDaysBeforeDialogue), true
}

// CommunePlanDeadline is the last on-time day for the communes' dialogue
// plans (KH), as midnight in the plan's zone, or false when the plan sets
// none.
func (p *Plan) CommunePlanDeadline() (time.Time, bool) {
	if d := p.Deadlines.CommunePlan; d.Set {
		return d.In(p.Location()), true
	}
	return time.Time{}, false
}

// Deadline is the last on-time day of a commune's form, as midnight in the
// plan's zone: the plan's commune_plan date for KH, the cluster's opinion
// deadline for M4. False when none applies: other forms, a commune that
// is not in the plan, no commune_plan date, a cluster whose dialogue date
// is not announced yet.
func (p *Plan) Deadline(c *Commune, f record.Form) (time.Time, bool) {
	if c == nil {
		return time.Time{}, false
	}
	switch f {
	case record.FormKH:
		return p.CommunePlanDeadline()
	case record.FormM4:
		return p.OpinionDeadline(c.Cluster)
	}
	return time.Time{}, false
}

// Late reports whether a file received at t missed the deadline day: t is
// after the end of that calendar day in the plan's zone. A zero deadline
// (none applies) or a zero t (not received) is never late.
func (p *Plan) Late(t, deadline time.Time) bool {
	if t.IsZero() || deadline.IsZero() {
		return false
	}
	return !p.OnOrBefore(t, deadline)
}

// LateForm reports whether a commune's form received at t is late, with
// its deadline; judged is false when no deadline applies (see Deadline) or
// t is zero, and then late is false.
func (p *Plan) LateForm(c *Commune, f record.Form, t time.Time) (late bool, deadline time.Time, judged bool) {
	deadline, ok := p.Deadline(c, f)
	if !ok || t.IsZero() {
		return false, deadline, false
	}
	return p.Late(t, deadline), deadline, true
}

// Overdue reports whether a form that is missing (not received: zero
// received) is past its deadline day at now (Late); a form received, or
// without a deadline, is never overdue. The figures, the quarterly report
// and the status page all call it.
func (p *Plan) Overdue(received, deadline, now time.Time) bool {
	return received.IsZero() && p.Late(now, deadline)
}

// OnOrBefore reports whether t falls on or before the calendar day of day
// in the plan's time zone, whatever the zones of t and day and whatever
// the time of day of day.
func (p *Plan) OnOrBefore(t, day time.Time) bool {
	loc := p.Location()
	d := day.In(loc)
	next := time.Date(d.Year(), d.Month(), d.Day()+1, 0, 0, 0, 0, loc)
	return t.Before(next)
}
