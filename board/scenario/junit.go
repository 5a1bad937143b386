package scenario

import (
	"encoding/xml"
	"fmt"
	"io"
	"strings"
)

// JUnit XML, the report CI systems show, in the shape of the JUnit schema
// (testsuites > testsuite > testcase, each with at most one failure or
// skipped): a scenario is a testsuite and each step a testcase, its time
// the virtual time the step took.

// JUnitSuites is a JUnit report: the root element.
type JUnitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr,omitempty"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Errors   int          `xml:"errors,attr"`
	Skipped  int          `xml:"skipped,attr"`
	Time     string       `xml:"time,attr"`
	Suites   []JUnitSuite `xml:"testsuite"`
}

// JUnitSuite is one scenario.
type JUnitSuite struct {
	XMLName  xml.Name    `xml:"testsuite"`
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Errors   int         `xml:"errors,attr"`
	Skipped  int         `xml:"skipped,attr"`
	Time     string      `xml:"time,attr"`
	File     string      `xml:"file,attr,omitempty"`
	Error    *JUnitFault `xml:"error,omitempty"`
	Cases    []JUnitCase `xml:"testcase"`
}

// JUnitCase is one step.
type JUnitCase struct {
	Name      string      `xml:"name,attr"`
	Classname string      `xml:"classname,attr"`
	Time      string      `xml:"time,attr"`
	File      string      `xml:"file,attr,omitempty"`
	Line      int         `xml:"line,attr,omitempty"`
	Failure   *JUnitFault `xml:"failure,omitempty"`
	Skipped   *JUnitFault `xml:"skipped,omitempty"`
}

// JUnitFault is a failure, error or skip.
type JUnitFault struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr,omitempty"`
	Text    string `xml:",chardata"`
}

func seconds(d interface{ Seconds() float64 }) string { return fmt.Sprintf("%.3f", d.Seconds()) }

// JUnit returns the report as a JUnit testsuite.
func (r *Report) JUnit() JUnitSuite {
	s := JUnitSuite{Name: r.Scenario.Name, File: r.Scenario.File}
	if r.Err != nil {
		s.Errors = 1
		s.Error = &JUnitFault{Message: "the scenario does not fit the board", Type: "error", Text: r.Err.Error()}
	}
	var total int64
	for _, res := range r.Results {
		d := res.End - res.Start
		total += int64(d)
		c := JUnitCase{Name: fmt.Sprintf("step %d: %s", res.Step.Index, res.Step.Title()), Classname: r.Scenario.Name,
			Time: seconds(d), File: r.Scenario.File, Line: res.Step.Line}
		switch res.Status {
		case Failed:
			s.Failures++
			f := res.Failure
			text := fmt.Sprintf("at %s–%s, line %d\nexpected: %s\ngot:      %s", FormatTime(res.Start), FormatTime(res.End), res.Step.Line, f.Expected, f.Got)
			if len(f.Recent) > 0 {
				text += "\nrecent changes:\n  " + strings.Join(f.Recent, "\n  ")
			}
			c.Failure = &JUnitFault{Message: f.Error(), Type: "failure", Text: text}
		case Skipped:
			s.Skipped++
			c.Skipped = &JUnitFault{Message: "after a failed step"}
		}
		s.Cases = append(s.Cases, c)
		s.Tests++
	}
	s.Time = fmt.Sprintf("%.3f", float64(total)/1e9)
	return s
}

// WriteJUnit writes suites as one JUnit XML report, its totals summed.
func WriteJUnit(w io.Writer, name string, suites ...JUnitSuite) error {
	all := JUnitSuites{Name: name, Suites: suites}
	var t float64
	for _, s := range suites {
		all.Tests += s.Tests
		all.Failures += s.Failures
		all.Errors += s.Errors
		all.Skipped += s.Skipped
		var st float64
		fmt.Sscanf(s.Time, "%g", &st)
		t += st
	}
	all.Time = fmt.Sprintf("%.3f", t)
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(all); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}
