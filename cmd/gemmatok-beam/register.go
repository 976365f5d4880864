package main

import (
	"context"
	"reflect"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/register"
)

// Beam needs to know the DoFns, functions and element types by name so
// that a worker can rebuild the pipeline it is sent; registering them here
// also spares reflection when they run. A missing registration shows only
// when a pipeline runs, which the tests do.
func init() {
	register.DoFn3x0[context.Context, File, func(Part)](&planFn{})
	register.DoFn4x0[context.Context, Part, func(string, Counts), func(string)](&countFn{})
	register.DoFn4x1[context.Context, Part, func(string), func(string), error](&tokenizeFn{})
	register.Function2x1(addCounts)
	register.Function2x1(formatCounts)
	register.Emitter1[Part]()
	register.Emitter1[string]()
	register.Emitter2[string, Counts]()
	for _, t := range []any{File{}, Part{}, Counts{}} {
		beam.RegisterType(reflect.TypeOf(t))
	}
}
