package luxon

import (
	"testing"
	"time"

	"github.com/dop251/goja"
)

// BenchmarkFromISOPlusToISO measures the typical per-item expression
// DateTime.fromISO($json.ts).plus({days: 3}).toISO(), compiled once.
func BenchmarkFromISOPlusToISO(b *testing.B) {
	benchExpr(b, `DateTime.fromISO(ts).plus({days: 3}).toISO()`)
}

// BenchmarkFormat measures fromISO + setZone + toFormat.
func BenchmarkFormat(b *testing.B) {
	benchExpr(b, `DateTime.fromISO(ts).setZone("Europe/Berlin").toFormat("yyyy-LL-dd HH:mm ZZ")`)
}

// BenchmarkDiff measures a multi-unit diff.
func BenchmarkDiff(b *testing.B) {
	benchExpr(b, `DateTime.fromISO(ts).diff(DateTime.fromISO("2023-01-01T00:00:00Z"), ["months", "days", "hours"]).toObject()`)
}

func benchExpr(b *testing.B, src string) {
	rt, _ := newRuntime(b, time.UTC)
	if err := rt.Set("ts", "2024-03-15T10:30:00Z"); err != nil {
		b.Fatal(err)
	}
	prg := goja.MustCompile("bench", src, false)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := rt.RunProgram(prg); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkInstall measures setting up the globals in a fresh runtime.
func BenchmarkInstall(b *testing.B) {
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		rt := goja.New()
		b.StartTimer()
		if _, err := Install(rt, time.UTC, nil); err != nil {
			b.Fatal(err)
		}
	}
}
