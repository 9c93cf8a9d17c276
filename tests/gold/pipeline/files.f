pipeline_scale.v
pipeline_offset.v
pipeline.v
