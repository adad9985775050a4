// Included (//!include subgroup_rows.wgsl) by the kernels whose subgroups each take whole rows
// (*_subgroup.wgsl): their builtins as one entry-point parameter, and the flat workgroup index.
// The includer enables subgroups.
//!host enable subgroups;

struct SubgroupIds {
  @builtin(local_invocation_index) lid: u32,
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) groups: vec3<u32>,
  @builtin(subgroup_invocation_id) lane: u32,
  @builtin(subgroup_size) sg: u32,
}

// The workgroup's index in a grid1d launch (x, then y).
fn group_index(ids: SubgroupIds) -> u32 {
  return ids.wid.x + ids.wid.y * ids.groups.x;
}
