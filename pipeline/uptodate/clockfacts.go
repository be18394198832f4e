package uptodate

import (
	"time"

	"doithoai/pipeline/plan"
	"doithoai/stages/report/quarterly/xl"
)

// ClockFacts are the facts of the run's clock (`--now`) that the outputs
// depend on, and nothing finer: two runs whose facts are equal write the
// same outbox from the same inputs, except the status page's "Cập nhật
// lúc" minute, which the fast path restamps (see statuspage.Restamp).
// Every output that reads the clock must be covered here;
// TestClockFactsCoverOutputs runs the full pipeline at pairs of moments
// and fails when outputs differ while the facts do not.
type ClockFacts struct {
	// Day is the calendar day in the plan's zone (YYYY-MM-DD): the
	// quarterly report's cover and "số liệu đến ngày", the attendance and
	// question lists' date. Only full runs write those, so a light run
	// leaves it empty.
	Day string `json:"day,omitempty"`
	// QuarterEnded: the plan's dialogue quarter is over (the final
	// quarterly report instead of the draft, light runs included).
	QuarterEnded bool `json:"quarter_ended"`
	// CommunePlanLate: the communes' plan (KH) deadline has passed (a
	// missing form is overdue).
	CommunePlanLate bool `json:"commune_plan_late"`
	// Clusters are each cluster's dated facts.
	Clusters []ClusterClock `json:"clusters,omitempty"`
}

// ClusterClock are one cluster's facts of the run's clock.
type ClusterClock struct {
	ID int `json:"id"`
	// DialogueAhead: the dialogue day is today or later (the status page
	// tells a missing M5 "nộp sau buổi đối thoại" rather than "đã diễn ra").
	DialogueAhead bool `json:"dialogue_ahead"`
	// OpinionsLate: the M4 deadline has passed (missing opinions overdue,
	// in the status page, the figures and the quarterly report).
	OpinionsLate bool `json:"opinions_late"`
}

// Clock is the one function that turns the run's clock into the facts the
// outputs depend on (see ClockFacts), for a run of the kind (full when
// full is true, else light).
func Clock(p *plan.Plan, now time.Time, full bool) ClockFacts {
	loc := p.Location()
	var f ClockFacts
	if full {
		f.Day = now.In(loc).Format(time.DateOnly)
	}
	if _, end, ok := xl.QuarterBounds(p.DialoguePeriod(), loc); ok {
		f.QuarterEnded = !now.Before(end)
	}
	if d, ok := p.CommunePlanDeadline(); ok {
		f.CommunePlanLate = p.Late(now, d)
	}
	for _, cl := range p.Clusters {
		c := ClusterClock{ID: cl.ID}
		if cl.DialogueDate.Set {
			c.DialogueAhead = p.OnOrBefore(now, cl.DialogueDate.In(loc))
		}
		if d, ok := p.OpinionDeadline(cl.ID); ok {
			c.OpinionsLate = p.Late(now, d)
		}
		f.Clusters = append(f.Clusters, c)
	}
	return f
}
