package web_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"sidi/internal/alarms"
	"sidi/internal/auth"
	"sidi/internal/store"
	"sidi/internal/store/storetest"
	"sidi/internal/telemetry"
	"sidi/internal/web"
)

// Who may call the alarm routes (alarms_pages.go): staff who supervise
// special equipment; the service narrows that to the regions of the
// caller's data scope.
var alarmStaff = []string{admin, supervisor, inspector}

func init() {
	for k, v := range map[string][]string{
		"GET /alarms":                                  alarmStaff,
		"GET /alarm-rules":                             alarmStaff,
		"POST /alarm-rules/{id}":                       editorsOnly,
		"GET /api/v1/alarm-rules":                      alarmStaff,
		"PUT /api/v1/alarm-rules/{id}":                 editorsOnly,
		"POST /alarms/{id}/ack":                        alarmStaff,
		"POST /alarms/{id}/clear":                      alarmStaff,
		"GET /hazards":                                 alarmStaff,
		"GET /hazards/{id}":                            alarmStaff,
		"POST /hazards/{id}/step":                      alarmStaff,
		"GET /special-equipment/regions/{code}":        alarmStaff,
		"GET /special-equipment/regions/{code}/live":   alarmStaff,
		"GET /api/v1/alarms":                           alarmStaff,
		"GET /api/v1/alarms/{id}":                      alarmStaff,
		"POST /api/v1/alarms/{id}/ack":                 alarmStaff,
		"POST /api/v1/alarms/{id}/clear":               alarmStaff,
		"GET /api/v1/hazards":                          alarmStaff,
		"GET /api/v1/hazards/{id}":                     alarmStaff,
		"POST /api/v1/hazards/{id}/step":               alarmStaff,
		"GET /api/v1/special-equipment/regions/{code}": alarmStaff,
		"GET /api/v1/boilers/{code}/efficiency":        alarmStaff,
	} {
		expectedAccess[k] = v
	}
	// The menu: 设备报警 and 隐患整改 follow the register's pages in 督查督办.
	for _, who := range []string{admin, supervisor, inspector} {
		m := wantMenu[who]
		i := slices.Index(m, "/equipment/due") + 1
		wantMenu[who] = slices.Insert(slices.Clone(m), i, "/alarms", "/hazards")
	}
}

// golmudBoiler is a gas boiler in 格尔木市 (海西州 632800).
var golmudBoiler = telemetry.Device{ID: 42, Code: "11103201200099999A", CreditCode: "91632801MA7TEST00X", Type: telemetry.TypeBoiler,
	Region: "632801", Name: "格尔木测试锅炉", Fuel: "natural_gas"}

func lowWater(at time.Time, v float64) []telemetry.Message {
	return []telemetry.Message{{Device: golmudBoiler, At: at, Received: at, Points: []telemetry.Point{{Name: telemetry.PointLowWater, Value: v},
		{Name: telemetry.PointFlueTemp, Value: 150}, {Name: telemetry.PointAirTemp, Value: 20}, {Name: telemetry.PointO2, Value: 3.5}}}}
}

// TestAlarmPages: the done-means scenario through the real engine, store
// and pages — a boiler in 格尔木 loses water level; within a second the
// alarm shows on 海西州's page, a hazard opens; then people act on both.
func TestAlarmPages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		rctx, cancel := context.WithCancel(ctx)
		eng, done, err := f.set.StartAlarms(rctx, alarms.Options{Window: 30 * time.Second})
		if err != nil {
			t.Fatal(err)
		}
		defer func() { cancel(); <-done }()

		insp := f.client(t)
		insp.login("demo-inspector", auth.DemoPassword)
		// Healthy for 40 s of device time: one efficiency window.
		start := time.Now().Add(-time.Minute)
		for i := 0; i <= 8; i++ {
			eng.Observe(ctx, lowWater(start.Add(time.Duration(i)*5*time.Second), 0))
		}
		sent := time.Now()
		eng.Observe(ctx, lowWater(time.Now(), 1))
		for {
			_, body := insp.get("/special-equipment/regions/632800/live")
			if strings.Contains(body, "锅炉低水位") && strings.Contains(body, "11103201200099999A") {
				break
			}
			if time.Since(sent) > time.Second {
				t.Fatalf("the alarm is not on 海西州's page within a second:\n%s", body)
			}
			time.Sleep(5 * time.Millisecond)
		}
		t.Logf("message to prefecture page: %s", time.Since(sent))
		resp, page := insp.get("/special-equipment/regions/632800")
		if resp.StatusCode != 200 || !strings.Contains(page, `data-live="/special-equipment/regions/632800/live"`) || !strings.Contains(page, "锅炉低水位") ||
			!strings.Contains(page, "1</strong> 项未关闭隐患") || !strings.Contains(page, "93.93") {
			t.Fatalf("prefecture page %d:\n%s", resp.StatusCode, page)
		}
		// The equipment page's sections: alarms, hazards, the efficiency chart with axes.
		var html []string
		for _, sf := range web.AlarmSections(f.set.Alarms) {
			sec, err := sf(ctx, auth.CLI("test"), golmudBoiler)
			if err != nil {
				t.Fatal(err)
			}
			html = append(html, string(sec.HTML))
		}
		if !strings.Contains(html[0], "锅炉低水位") || !strings.Contains(html[1], "隐患") || !strings.Contains(html[2], "<svg") ||
			!strings.Contains(html[2], `class="axis"`) || !strings.Contains(html[2], "siegert-") {
			t.Fatalf("sections:\n%s", strings.Join(html, "\n"))
		}

		// Ack and clear through the page's forms; without the CSRF token, refused.
		var alarmID int64
		if err := db.Reader().QueryRow(`SELECT id FROM alarms WHERE alarm_type = 'low_water'`).Scan(&alarmID); err != nil {
			t.Fatal(err)
		}
		id := strconv.FormatInt(alarmID, 10)
		if resp, _ := insp.postForm("/alarms/"+id+"/ack", url.Values{"back": {"/alarms"}}); resp.StatusCode != http.StatusForbidden {
			t.Fatalf("ack without CSRF: %d", resp.StatusCode)
		}
		tok := insp.csrf("/alarms")
		resp, _ = insp.postForm("/alarms/"+id+"/ack", url.Values{"csrf_token": {tok}, "back": {"https://evil.example/"}})
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/alarms" {
			t.Fatalf("ack: %d → %s", resp.StatusCode, resp.Header.Get("Location"))
		}
		resp, _ = insp.postForm("/alarms/"+id+"/clear", url.Values{"csrf_token": {tok}, "note": {"<script>alert(1)</script>已现场处置"}, "back": {"/alarms?status=active"}})
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/alarms?status=active" {
			t.Fatalf("clear: %d", resp.StatusCode)
		}
		_, list := insp.get("/alarms?status=cleared")
		if strings.Contains(list, "<script>alert") || !strings.Contains(list, "demo-inspector") {
			t.Fatalf("cleared list:\n%s", list)
		}
		var audits int
		db.Reader().QueryRow(`SELECT COUNT(*) FROM audit_log WHERE entity = 'alarm'`).Scan(&audits)
		if audits != 2 {
			t.Fatalf("%d audited alarm actions, want 2", audits)
		}

		// The hazard's workflow by forms: the inspector starts and submits, the supervisor closes.
		var hz int64
		if err := db.Reader().QueryRow(`SELECT id FROM hazards WHERE equipment_code = $1`, golmudBoiler.Code).Scan(&hz); err != nil {
			t.Fatal(err)
		}
		hid := strconv.FormatInt(hz, 10)
		_, hpage := insp.get("/hazards/" + hid)
		if !strings.Contains(hpage, "开始整改") || strings.Contains(hpage, `value="close"`) {
			t.Fatalf("hazard page:\n%s", hpage)
		}
		tomorrow := time.Now().In(time.FixedZone("CST", 8*3600)).AddDate(0, 0, 1).Format(time.DateOnly)
		for _, st := range []url.Values{
			{"action": {"start"}, "responsible": {"王五"}, "deadline": {tomorrow}},
			{"action": {"submit"}, "rectification": {"更换水位计，试运行正常"}},
		} {
			st.Set("csrf_token", tok)
			resp, _ := insp.postForm("/hazards/"+hid+"/step", st)
			if resp.StatusCode != http.StatusSeeOther {
				t.Fatalf("step %s: %d", st.Get("action"), resp.StatusCode)
			}
		}
		sup := f.client(t)
		sup.login("demo-supervisor", auth.DemoPassword)
		stok := sup.csrf("/hazards/" + hid)
		resp, body := sup.do("POST", "/api/v1/hazards/"+hid+"/step", strings.NewReader(`{"action":"close","note":"复核通过"}`),
			map[string]string{"Content-Type": "application/json", "X-CSRF-Token": stok})
		var h alarms.Hazard
		if resp.StatusCode != 200 || json.Unmarshal([]byte(body), &h) != nil || h.Status != alarms.HazardClosed {
			t.Fatalf("close by API: %d %s", resp.StatusCode, body)
		}

		// Hostile input on every page, form and API.
		ent := f.client(t)
		ent.login("demo-enterprise", auth.DemoPassword)
		cases := []struct {
			c      *client
			method string
			path   string
			body   string
			want   int
		}{
			{insp, "GET", "/alarms?prefecture=%3Cscript%3E", "", http.StatusUnprocessableEntity},
			{insp, "GET", "/alarms?severity=%27%20OR%201%3D1%20--", "", http.StatusUnprocessableEntity},
			{insp, "GET", "/alarms?limit=abc", "", http.StatusUnprocessableEntity},
			{insp, "GET", "/hazards?status=active", "", http.StatusUnprocessableEntity},
			{insp, "GET", "/hazards/abc", "", http.StatusNotFound},
			{insp, "GET", "/hazards/99999999", "", http.StatusNotFound},
			{insp, "GET", "/special-equipment/regions/999999", "", http.StatusNotFound},
			{insp, "GET", "/special-equipment/regions/%3Cb%3E/live", "", http.StatusNotFound},
			{insp, "GET", "/api/v1/alarms?status=open", "", http.StatusUnprocessableEntity},
			{insp, "GET", "/api/v1/boilers/" + golmudBoiler.Code + "/efficiency?hours=-1", "", http.StatusUnprocessableEntity},
			{insp, "POST", "/api/v1/alarms/" + id + "/clear", `{"note": 5}`, http.StatusUnprocessableEntity},
			{insp, "POST", "/api/v1/alarms/" + id + "/clear", `{"note":"x","extra":1}`, http.StatusUnprocessableEntity},
			{insp, "POST", "/api/v1/alarms/" + id + "/clear", `{"note":"again"}`, http.StatusConflict},
			{insp, "POST", "/api/v1/hazards/" + hid + "/step", `{"action":"drop table"}`, http.StatusUnprocessableEntity},
			{insp, "POST", "/api/v1/hazards/" + hid + "/step", `{"action":"close"}`, http.StatusForbidden},
			{ent, "GET", "/alarms", "", http.StatusForbidden},
			{ent, "GET", "/api/v1/hazards", "", http.StatusForbidden},
		}
		for _, c := range cases {
			h := map[string]string{}
			if c.method == "POST" {
				h = map[string]string{"Content-Type": "application/json", "X-CSRF-Token": tok}
			}
			resp, body := c.c.do(c.method, c.path, strings.NewReader(c.body), h)
			if resp.StatusCode != c.want {
				t.Errorf("%s %s: %d, want %d: %.300s", c.method, c.path, resp.StatusCode, c.want, body)
			}
		}
		// Rules: the inspector reads them, the supervisor edits one (audited).
		_, rp := insp.get("/alarm-rules")
		if !strings.Contains(rp, "锅炉低水位") || strings.Contains(rp, `action="/alarm-rules/`) {
			t.Fatalf("rules page for the inspector:\n%s", rp)
		}
		var ruleID string
		db.Reader().QueryRow(`SELECT CAST(MIN(id) AS TEXT) FROM alarm_rules WHERE alarm_type = 'flue_temp_high'`).Scan(&ruleID)
		for _, c := range []struct {
			form  url.Values
			flash string
		}{
			{url.Values{"threshold": {"abc"}, "severity": {"major"}, "enabled": {"1"}}, "阈值须为数字"},
			{url.Values{"threshold": {"NaN"}, "severity": {"major"}, "enabled": {"1"}}, "阈值须为数字"},
			{url.Values{"threshold": {"200"}, "severity": {"<b>"}, "enabled": {"1"}}, "级别"},
			{url.Values{"threshold": {"200"}, "severity": {"major"}, "enabled": {"1"}}, "已修改规则"},
		} {
			c.form.Set("csrf_token", stok)
			resp, _ := sup.postForm("/alarm-rules/"+ruleID, c.form)
			_, after := sup.get(resp.Header.Get("Location"))
			if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/alarm-rules" || !strings.Contains(after, c.flash) {
				t.Errorf("rule form %v: %d, page lacks %q", c.form, resp.StatusCode, c.flash)
			}
		}
		resp, body = sup.do("PUT", "/api/v1/alarm-rules/"+ruleID, strings.NewReader(`{"threshold": 200, "severity": "major"}`),
			map[string]string{"Content-Type": "application/json", "X-CSRF-Token": stok})
		if resp.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("rule API without enabled: %d %s", resp.StatusCode, body)
		}
		var ruleAudits int
		db.Reader().QueryRow(`SELECT COUNT(*) FROM audit_log WHERE entity = 'alarm_rule'`).Scan(&ruleAudits)
		if ruleAudits != 1 {
			t.Errorf("%d audited rule edits, want 1", ruleAudits)
		}
		// Exports.
		for _, path := range []string{"/alarms?format=csv", "/hazards?status=closed&format=csv"} {
			resp, body := insp.get(path)
			if resp.StatusCode != 200 || !strings.Contains(body, golmudBoiler.Code) {
				t.Errorf("export %s: %d %.200s", path, resp.StatusCode, body)
			}
		}
		if resp, _ := insp.get("/alarms?format=pdf"); resp.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("export as pdf: %d", resp.StatusCode)
		}
		_, api := insp.get("/api/v1/boilers/" + golmudBoiler.Code + "/efficiency")
		var series struct {
			Series []alarms.Efficiency `json:"series"`
		}
		if err := json.Unmarshal([]byte(api), &series); err != nil || len(series.Series) != 1 || series.Series[0].Efficiency != 93.9271 || series.Series[0].Version == "" {
			t.Fatalf("efficiency API: %v %s", err, api)
		}
	})
}
