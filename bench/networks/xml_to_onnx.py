#!/usr/bin/python3
"""Writes a network XML (docs/network.md; relu and linear layers, optional
argmax) as an ONNX model in protobuf text format: one MatMul + Add (+ Relu)
per layer, then ArgMax.  The Makefile encodes it into build/onnx/NAME.onnx.
Python's standard library only.

    /usr/bin/python3 bench/networks/xml_to_onnx.py bench/networks/jet.xml \\
        > bench/networks/jet.textproto
"""
import sys
import xml.etree.ElementTree as ET


def main():
    root = ET.parse(sys.argv[1]).getroot()
    name = root.get("name")
    width = int(root.find("input").get("size"))
    out = ["# %s as ONNX, written by bench/networks/xml_to_onnx.py from %s"
           % (name, sys.argv[1]),
           "ir_version: 8", 'opset_import { domain: "" version: 13 }', "graph {",
           '  name: "%s"' % name,
           '  input { name: "x" type { tensor_type { elem_type: 1 shape { dim { dim_param: "N" }'
           ' dim { dim_value: %d } } } } }' % width]
    nodes, cur = [], "x"
    for l, layer in enumerate(root.findall("layer")):
        n = int(layer.get("neurons"))
        w = layer.find("weights").text.split()  # row-major by neuron
        b = layer.find("biases").text.split()
        # MatMul's B is [inputs, neurons]: transpose the neuron rows.
        wt = [w[j * width + i] for i in range(width) for j in range(n)]
        out.append('  initializer { name: "W%d" dims: %d dims: %d data_type: 1 float_data: [%s] }'
                   % (l, width, n, ", ".join(wt)))
        out.append('  initializer { name: "B%d" dims: %d data_type: 1 float_data: [%s] }'
                   % (l, n, ", ".join(b)))
        nodes.append('  node { op_type: "MatMul" input: ["%s", "W%d"] output: "m%d" }'
                     % (cur, l, l))
        nodes.append('  node { op_type: "Add" input: ["m%d", "B%d"] output: "h%d" }' % (l, l, l))
        cur = "h%d" % l
        if layer.get("activation") == "relu":
            nodes.append('  node { op_type: "Relu" input: "%s" output: "a%d" }' % (cur, l))
            cur = "a%d" % l
        width = n
    if root.find("argmax") is not None:
        nodes.append('  node { op_type: "ArgMax" input: "%s" output: "class" attribute '
                     '{ name: "axis" type: INT i: 1 } }' % cur)
        cur, width = "class", 1
    out.append('  output { name: "%s" type { tensor_type { elem_type: 1 shape { dim { dim_param:'
               ' "N" } dim { dim_value: %d } } } } }' % (cur, width))
    print("\n".join(out + nodes + ["}"]))


if __name__ == "__main__":
    main()
