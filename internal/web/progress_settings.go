package web

import (
	"math"
	"net/http"
	"strconv"
	"strings"

	"sidi/internal/apperr"
	"sidi/internal/numfmt"
)

func (s *Server) settingsPage(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	pv, err := s.planOf(r, rc)
	if err != nil {
		return err
	}
	st, err := s.Progress.Settings(r.Context(), pv.ID)
	if err != nil {
		return err
	}
	periods, err := s.Progress.Periods(r.Context(), pv.ID)
	if err != nil {
		return err
	}
	return s.render(w, r, rc, http.StatusOK, "progress_settings", "报送与预警设置", "progress", map[string]any{"Settings": st, "Periods": periods})
}

// settingsSave stores the settings and, when asked, generates periods up to a year.
func (s *Server) settingsSave(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	pv, err := s.planOf(r, rc)
	if err != nil {
		return err
	}
	st, err := s.Progress.Settings(r.Context(), pv.ID)
	if err != nil {
		return err
	}
	num := func(name string, dst *float64) error {
		f, err := numfmt.Parse(fieldLabels[name], r.PostFormValue(name))
		if err != nil {
			return err
		}
		*dst = f
		return nil
	}
	integer := func(name string, dst *int) error {
		v := r.PostFormValue(name)
		f, err := numfmt.Parse(fieldLabels[name], v)
		if err != nil {
			return err
		}
		if f != math.Trunc(f) {
			return apperr.Invalid("“%s”须为整数，实为“%s”", fieldLabels[name], v)
		}
		*dst = int(f)
		return nil
	}
	st.PlanStart = strings.TrimSpace(r.PostFormValue("plan_start"))
	st.PeriodKind = r.PostFormValue("period_kind")
	if v, ok := r.PostForm["default_as_of"]; ok {
		st.DefaultAsOf = strings.TrimSpace(v[0])
	}
	if v, ok := r.PostForm["doc_no_pattern"]; ok {
		st.DocNoPattern = strings.TrimSpace(v[0])
	}
	for _, f := range []func() error{
		func() error { return integer("deadline_days", &st.DeadlineDays) },
		func() error { return num("red_gap", &st.Thresholds.RedGap) },
		func() error { return integer("near_days", &st.Thresholds.NearDays) },
		func() error { return integer("remind_before", &st.Thresholds.RemindBefore) },
		func() error { return integer("report_grace", &st.Thresholds.ReportGrace) },
		func() error { return num("w_timeliness", &st.Scoring.Timeliness) },
		func() error { return num("w_achievement", &st.Scoring.Achievement) },
		func() error { return num("w_quality", &st.Scoring.Quality) },
	} {
		if err := f(); err != nil {
			return err
		}
	}
	if err := s.Progress.SaveSettings(r.Context(), rc.P, st); err != nil {
		return err
	}
	msg := "设置已保存"
	if y := strings.TrimSpace(r.PostFormValue("until")); y != "" {
		year, err := strconv.Atoi(y)
		if err != nil || year < 2000 || year > 2100 {
			return apperr.Invalid("生成报送周期的截止年份“%s”无效", y)
		}
		n, err := s.Progress.EnsurePeriods(r.Context(), rc.P, pv.ID, year)
		if err != nil {
			return err
		}
		msg += "，新增报送周期 " + strconv.Itoa(n) + " 个"
	}
	s.redirectMsg(w, r, withPlan(rc.planCode, "/progress/settings"), msg)
	return nil
}

var fieldLabels = map[string]string{
	"deadline_days": "报送期限（周期结束后天数）", "red_gap": "红色预警差距", "near_days": "临近期限天数", "remind_before": "提前提醒天数",
	"report_grace": "逾期宽限天数", "w_timeliness": "及时性权重", "w_achievement": "完成度权重", "w_quality": "质量权重",
}
