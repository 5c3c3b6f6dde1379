// Package v1 is a small fixture for kubehash's spec generator: it exercises comments, literals,
// grouped declarations, embedded fields and every kind of type expression the generator supports.
package v1

import (
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/util/intstr"
)

/* A block comment with a brace { that must not confuse the parser.
type Fake struct { Broken int }
*/

const URL = "http://example.com/{not-a-brace}" // a string with // inside

// Container is the root.
type Container struct {
	// Name has a comment with `backquotes` and a brace {.
	Name string `json:"name" protobuf:"bytes,1,opt,name=name"`
	Image string `json:"image,omitempty" protobuf:"bytes,2,opt,name=image"`
	Ports []Port `json:"ports,omitempty" protobuf:"bytes,3,rep,name=ports"`
	Limits ResourceList `json:"limits,omitempty" protobuf:"bytes,4,rep,name=limits,casttype=ResourceList"`
	Probe *Probe `json:"probe,omitempty" protobuf:"bytes,5,opt,name=probe"`
	Secret string `json:"-"`
	NoTag bool
	A, B int32 `protobuf:"varint,6,opt,name=a"`
}

type (
	// Port is declared in a group.
	Port struct {
		Number int32 `json:"number"`
		Protocol Protocol `json:"protocol,omitempty"`
	}
	Protocol string
)

type ResourceList map[ResourceName]resource.Quantity

type ResourceName string

type Probe struct {
	Handler `json:",inline" protobuf:"bytes,1,opt,name=handler"`
	TimeoutSeconds *int64 `json:"timeoutSeconds,omitempty"`
}

type Handler struct {
	Port intstr.IntOrString `json:"port"`
	Command []string `json:"command,omitempty"`
}

// Unreached is declared but not reachable from Container.
type Unreached struct {
	X int `json:"x"`
}
