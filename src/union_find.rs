//! Union-find over document ids: the connected components of a pair graph.

/// Disjoint sets of `0..n`; each set's root is its smallest member.
#[derive(Debug, Clone)]
pub struct UnionFind {
    parent: Vec<u32>,
}

impl UnionFind {
    /// `n` singletons.
    pub fn new(n: usize) -> UnionFind {
        UnionFind {
            parent: (0..n as u32).collect(),
        }
    }

    /// The root of `x`'s set (path halving).
    pub fn find(&mut self, mut x: u32) -> u32 {
        while self.parent[x as usize] != x {
            let up = self.parent[self.parent[x as usize] as usize];
            self.parent[x as usize] = up;
            x = up;
        }
        x
    }

    /// Joins the sets of `a` and `b`.
    pub fn union(&mut self, a: u32, b: u32) {
        let (ra, rb) = (self.find(a), self.find(b));
        self.parent[ra.max(rb) as usize] = ra.min(rb);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sets_join_and_keep_their_smallest_member_as_root() {
        let mut u = UnionFind::new(6);
        u.union(4, 2);
        u.union(5, 4);
        u.union(1, 3);
        assert_eq!([2, 2, 2], [u.find(2), u.find(4), u.find(5)]);
        assert_eq!((u.find(3), u.find(0)), (1, 0));
        u.union(3, 5);
        assert_eq!(u.find(5), 1);
    }
}
