"""Atom feeds of the catalogue (new products with their proof, new case studies, each
category's new products), for feed readers and other NHS services. Above `proof` in the
layers, because a product's entry summarises its proof."""
