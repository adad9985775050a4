// Line 3 returns a bool from an f32 function.
fn helper(x: f32) -> f32 {
  return x > 0.0;
}
