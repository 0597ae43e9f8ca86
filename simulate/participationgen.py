"""Demo volunteering and credit for the generated city, all through the real actions:
a credit store per community, good deeds recorded by grid staff, residents' orders and
micro-wishes taken and done by the grid's volunteers, and points spent in the store."""

import random
from dataclasses import dataclass, field
from decimal import Decimal

from credit.actions import account_for, do_add_store_item, do_award_points, do_redeem
from credit.models import CreditAccount, IncentiveRule, RuleUnit, StoreItem
from gridgov.errors import ActionError
from org.models import GridKind, OrgNode, RoleAssignment, RoleKind, User
from org.permissions import duties_with, has
from participation.actions import do_order_action, do_post_order
from participation.models import OrderKind
from residents.models import Resident

# What a community's credit store stocks: name, cost in points, stock.
STORE = [
    ("洗衣液一瓶", 20, 30),
    ("大米五斤", 40, 20),
    ("理发券一张", 15, 50),
    ("鸡蛋一盒", 10, 60),
    ("社区食堂餐券", 8, 100),
    ("家电免费检修一次", 30, 10),
]
ORDERS = [
    (OrderKind.ORDER, "帮忙代购药品", "行动不便,需要到社区卫生站代购常用药"),
    (OrderKind.ORDER, "陪同老人就医", "下周二上午到区医院复查,需要有人陪同"),
    (OrderKind.ORDER, "上门理发", "独居老人,行动不便,希望上门理发"),
    (OrderKind.ORDER, "代取快递", "白天上班,快递常放在驿站取不到"),
    (OrderKind.ORDER, "家电小修理", "电饭煲插头接触不良"),
    (OrderKind.WISH, "想要一台收音机", "老人想听戏曲广播"),
    (OrderKind.WISH, "孩子需要一套课外书", "留守儿童,希望有几本课外读物"),
    (OrderKind.WISH, "想学用智能手机", "想学会视频通话,和外地的孩子联系"),
    (OrderKind.WISH, "冬天需要一床棉被", "家里被褥单薄"),
]


@dataclass
class ParticipationGenerator:
    seed: int = 1
    orders_per_grid: int = 4
    awards_per_grid: int = 6
    counts: dict = field(default_factory=dict)

    def run(self) -> dict:
        self.random = random.Random(self.seed)
        grids = list(
            OrgNode.objects.filter(grid_kind=GridKind.RESIDENTIAL)
            .select_related("parent")
            .order_by("code")
        )
        staff = self._staff_by_grid()
        for community in sorted({grid.parent for grid in grids}, key=lambda node: node.code):
            keeper = self._keeper_at(community)
            if keeper is None or StoreItem.objects.filter(node=community).exists():
                continue
            for name, cost, stock in STORE:
                do_add_store_item(community, actor=keeper, name=name, cost=cost, stock=stock)
                self._count("store_items")
        rules = list(IncentiveRule.objects.filter(is_active=True, unit=RuleUnit.DEED))
        for grid in grids:
            workers = staff.get(grid.pk, [])
            residents = list(Resident.objects.filter(household__grid=grid).order_by("pk")[:40])
            if not workers or not residents:
                continue
            self._awards(
                [user for user in workers if has(user, "credit.award", grid.code)], residents, rules
            )
            self._orders(grid, workers, residents)
        self._spend()
        return self.counts

    def _count(self, key: str, n: int = 1) -> None:
        self.counts[key] = self.counts.get(key, 0) + n

    def _keeper_at(self, node) -> User | None:
        assignment = (
            RoleAssignment.objects.filter(
                node=node, role__duty__in=duties_with("credit.keep_store")
            )
            .select_related("user")
            .order_by("user__username")
            .first()
        )
        return assignment.user if assignment else None

    def _staff_by_grid(self) -> dict[int, list[User]]:
        staff: dict[int, list[User]] = {}
        assignments = (
            RoleAssignment.objects.filter(
                role__kind=RoleKind.STAFF, node__grid_kind=GridKind.RESIDENTIAL
            )
            .select_related("user", "node")
            .order_by("user__username")
        )
        for assignment in assignments:
            staff.setdefault(assignment.node_id, []).append(assignment.user)
        return staff

    def _awards(self, keepers, residents, rules) -> None:
        if not rules or not keepers:
            return
        for _ in range(self.awards_per_grid):
            resident = self.random.choice(residents)
            rule = self.random.choice(rules)
            do_award_points(
                resident,
                rule,
                actor=self.random.choice(keepers),
                quantity=self.random.randint(1, 3),
                note="网格员登记",
            )
            self._count("awards")

    def _orders(self, grid, workers, residents) -> None:
        # Who may post for residents and who may take orders come from the capability table.
        posters = [user for user in workers if has(user, "volunteer.post_for", grid.code)]
        takers = [user for user in workers if has(user, "volunteer.take", grid.code)]
        volunteers = [user for user in takers if user.username == "demo-volunteer"] or takers
        if not posters or not volunteers:
            return
        for _ in range(self.orders_per_grid):
            kind, title, description = self.random.choice(ORDERS)
            poster = self.random.choice(posters)
            order = do_post_order(
                actor=poster,
                kind=kind,
                title=title,
                description=description,
                requester_id=self.random.choice(residents).pk,
            )
            self._count(f"orders_{kind}")
            fate = self.random.random()
            if fate < 0.3:
                continue  # still open in the marketplace
            taker = self.random.choice([user for user in volunteers if user != poster] or takers)
            try:
                order = do_order_action(order.pk, "take", actor=taker)
            except ActionError:
                continue
            if fate < 0.5:
                self._count("orders_taken")
                continue
            hours = Decimal(self.random.choice(["0.5", "1", "1.5", "2", "3"]))
            do_order_action(order.pk, "complete", actor=taker, data={"hours": hours})
            if fate < 0.6:
                self._count("orders_done")  # waiting for the poster to confirm
                continue
            do_order_action(order.pk, "confirm", actor=poster)
            self._count("orders_confirmed")

    def _spend(self) -> None:
        accounts = (
            CreditAccount.objects.filter(balance__gte=8)
            .select_related("resident__household__grid__parent", "resident__user")
            .order_by("pk")
        )
        for account in accounts:
            if self.random.random() < 0.5:
                continue
            community = account.resident.household.grid.parent
            item = (
                StoreItem.objects.filter(node=community, cost__lte=account.balance, stock__gte=1)
                .order_by("-cost")
                .first()
            )
            clerk = self._keeper_at(community)
            if item is None or clerk is None:
                continue
            do_redeem(account_for(account.resident), item, actor=clerk)
            self._count("redemptions")
