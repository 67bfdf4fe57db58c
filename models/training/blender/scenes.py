"""Deterministic procedural HDR scenes for SDR->HDR training, rendered by Cycles to scene-linear EXR.

Runs inside Blender (Debian's 3.4, CPU Cycles):
    blender -b --factory-startup -P models/training/blender/scenes.py -- --out DIR --first N --count K \
        [--size 256] [--samples 64] [--threads 1]
For each seed N..N+K-1 (one Blender process; the scene is reset between seeds) it writes
    DIR/scene-SSSSS.exr       float32 RGB, scene-linear, Rec.709 primaries (Blender's working space), 'Standard'
                              view (no filmic), camera exposure baked in (see `meter`)
    DIR/scene-SSSSS.mask.png  8-bit grey codes per pixel (first hit, not antialiased): MASK_CODES
    DIR/scene-SSSSS.json      sidecar: seed, kind, objects (with their material class), world, exposure,
                              luminance statistics, mask shares, render seconds, Blender version, textures used
The scene depends on the seed only (random.Random(seed), fixed Cycles seed, no global random state): the same
seed gives the same picture up to Cycles' floating-point run-to-run differences.
"""
import json
import math
import os
import random
import sys
import time

import bpy
import numpy as np
from mathutils import Euler, Vector

# 2: objects enclosing the camera are removed (only scenes that rendered black under 1 change);
# 3: landscapes' hills 100x wider (spiky before); other kinds are the same as under 2
# 4: lamp bulbs seen by the camera only, the point light inside lights the scene (it was blocked by the bulb)
# 5: exposure always protects the diffuse whites (their p90 <= 0.8-1.0); 30 % of scenes let them clip before
GENERATOR_VERSION = 5
# Mask codes (object pass index; 0 = nothing hit = world/sky).
MASK_CODES = {'background': 0, 'diffuse_white': 1, 'emitter': 2, 'other': 3}
KINDS = ['room', 'street', 'tabletop', 'landscape', 'night', 'backlight']
KIND_WEIGHTS = [3, 3, 3, 2, 2, 2]

WALLPAPERS = '/usr/share/wallpapers'
# Photographs of Debian's plasma-workspace-wallpapers used as texture crops (LGPLv3 per their metadata.json;
# Debian's copyright file says GPL-2+). ColorfulCups and OneStandsOut are left out: they are validation
# images of models/training; each sidecar lists the textures it used so held-out sets can be kept apart.
TEXTURE_PHOTOS = ['Autumn', 'BytheWater', 'ColdRipple', 'DarkestHour', 'EveningGlow', 'FallenLeaf', 'Grey', 'Kite',
                  'Path', 'summer_1am', 'PastelHills']
STUDIOLIGHTS = '/usr/share/blender/datafiles/studiolights/world'
# Blender's studio-light HDRIs (CC0, Greg Zaal); interior and sunset are validation images of models/training.
WORLD_HDRIS = ['city', 'courtyard', 'forest', 'night', 'studio', 'sunrise']


# --------------------------------------------------------------------------------------------- scene state
class Scene:
    """What one seed builds; `objects` becomes the sidecar's object list."""

    def __init__(self, seed):
        self.seed = seed
        self.rng = random.Random(seed)
        self.objects = []
        self.textures = set()
        self.world = {}
        self.lights = []
        self.night = False

    # --- materials ---------------------------------------------------------------------------------------
    def principled(self, color, roughness=0.5, metallic=0.0, specular=0.5, texture_p=0.0, clearcoat=0.0):
        r = self.rng
        m = bpy.data.materials.new('m')
        m.use_nodes = True
        b = m.node_tree.nodes['Principled BSDF']
        b.inputs['Base Color'].default_value = (*color, 1)
        b.inputs['Roughness'].default_value = roughness
        b.inputs['Metallic'].default_value = metallic
        b.inputs['Specular'].default_value = specular
        b.inputs['Clearcoat'].default_value = clearcoat
        textured = None
        if r.random() < texture_p:
            textured = r.choice(TEXTURE_PHOTOS)
            nt = m.node_tree
            tex = nt.nodes.new('ShaderNodeTexImage')
            tex.image = load_photo(textured)
            tex.extension = 'REPEAT'  # a crop reaching past the photo's edge wraps around
            mp = nt.nodes.new('ShaderNodeMapping')
            co = nt.nodes.new('ShaderNodeTexCoord')
            s = r.uniform(0.15, 1.0)  # a random crop of the photograph: scale and offset in UV
            mp.inputs['Scale'].default_value = (s, s * r.uniform(0.7, 1.4), 1)
            mp.inputs['Location'].default_value = (r.uniform(0, 1 - s * 0.5), r.uniform(0, 1 - s * 0.5), 0)
            mp.inputs['Rotation'].default_value = (0, 0, r.choice([0, 0, math.pi / 2]))
            nt.links.new(co.outputs['UV'], mp.inputs['Vector'])
            nt.links.new(mp.outputs['Vector'], tex.inputs['Vector'])
            # tint so one photograph gives many albedos; the photo's sRGB is decoded to linear by Blender
            mix = nt.nodes.new('ShaderNodeMixRGB')
            mix.blend_type = 'MULTIPLY'
            mix.inputs['Fac'].default_value = r.uniform(0.0, 0.6)
            mix.inputs['Color2'].default_value = (*color, 1)
            nt.links.new(tex.outputs['Color'], mix.inputs['Color1'])
            nt.links.new(mix.outputs['Color'], b.inputs['Base Color'])
            self.textures.add(textured)
        return m, textured

    def random_material(self, allow_white=True):
        """(material, class) for a generic object: diffuse, textured, glossy, metal or diffuse white."""
        r = self.rng
        u = r.random()
        if allow_white and u < 0.2:
            return self.white(), 'diffuse_white'
        if u < 0.45:
            m, t = self.principled(rand_color(r), r.uniform(0.4, 0.9), 0, r.uniform(0.3, 0.5), texture_p=0.8)
            return m, ('textured' if t else 'diffuse')
        if u < 0.7:
            m, _ = self.principled(rand_color(r), r.uniform(0.02, 0.25), 0, r.uniform(0.5, 1.0),
                                   clearcoat=r.choice([0, 0, 1]))
            return m, 'glossy'
        if u < 0.9:
            metal = r.choice([(0.95, 0.93, 0.88), (0.95, 0.64, 0.54), (1.0, 0.78, 0.34), (0.91, 0.92, 0.92),
                              rand_color(r, 0.4, 0.9)])
            m, _ = self.principled(metal, r.uniform(0.0, 0.35), 1.0, 0.5)
            return m, 'metal'
        m, t = self.principled(rand_color(r), r.uniform(0.3, 0.9), 0, 0.5, texture_p=0.5)
        return m, ('textured' if t else 'diffuse')

    def white(self):
        """Diffuse white: paper, plaster, fabric, snow. Albedo 0.8-0.9, rough, no emission."""
        r = self.rng
        a = r.uniform(0.8, 0.9)
        tint = (a * r.uniform(0.97, 1.0), a, a * r.uniform(0.95, 1.0))
        m, _ = self.principled(tint, r.uniform(0.75, 1.0), 0, r.uniform(0.1, 0.4))
        return m

    def emitter(self, color, strength):
        m = bpy.data.materials.new('e')
        m.use_nodes = True
        nt = m.node_tree
        for n in list(nt.nodes):
            if n.type != 'OUTPUT_MATERIAL':
                nt.nodes.remove(n)
        e = nt.nodes.new('ShaderNodeEmission')
        e.inputs['Color'].default_value = (*color, 1)
        e.inputs['Strength'].default_value = strength
        nt.links.new(e.outputs['Emission'], nt.nodes['Material Output'].inputs['Surface'])
        return m

    # --- objects -----------------------------------------------------------------------------------------
    def add(self, shape, loc, scale, mat, cls, name, rot=(0, 0, 0), **kw):
        ops = {'cube': bpy.ops.mesh.primitive_cube_add, 'sphere': bpy.ops.mesh.primitive_uv_sphere_add,
               'cylinder': bpy.ops.mesh.primitive_cylinder_add, 'cone': bpy.ops.mesh.primitive_cone_add,
               'torus': bpy.ops.mesh.primitive_torus_add, 'plane': bpy.ops.mesh.primitive_plane_add,
               'ico': bpy.ops.mesh.primitive_ico_sphere_add, 'monkey': bpy.ops.mesh.primitive_monkey_add,
               'grid': bpy.ops.mesh.primitive_grid_add}
        if shape == 'sphere':
            kw.setdefault('segments', 48)
            kw.setdefault('ring_count', 24)
        if shape == 'cylinder':
            kw.setdefault('vertices', 48)
        ops[shape](location=loc, rotation=rot, **kw)
        o = bpy.context.active_object
        o.scale = scale
        if shape in ('sphere', 'cylinder', 'torus', 'monkey', 'cone'):
            bpy.ops.object.shade_smooth()
        o.data.materials.append(mat)
        o.pass_index = MASK_CODES.get(cls, MASK_CODES['other'])
        o.name = f'{name}.{len(self.objects):02d}'
        self.objects.append({'name': o.name, 'kind': name, 'shape': shape, 'material': cls})
        return o

    def bulb(self, loc, scale, color, watts, name):
        """A lamp: a point light of `watts` lights the scene, an emissive sphere of the same radiance shows it.

        The sphere is seen by the camera only (no shadow, not hit by bounces, not sampled as a light): a closed
        emitter around the point light would block it, and a small bright mesh sampled by bounces is the main
        source of fireflies. Sphere radiance = P / (pi * 4 pi r^2), that of Cycles' spherical point light."""
        rad = scale[0]
        m = self.emitter(color, watts / (4 * math.pi ** 2 * rad * rad))
        m.cycles.sample_as_light = False
        o = self.add('sphere', loc, scale, m, 'emitter', name)
        o.visible_shadow = False
        o.visible_diffuse = False
        o.visible_glossy = False
        o.visible_transmission = False
        o.visible_volume_scatter = False
        self.point_light(loc, watts, color, rad)

    def point_light(self, loc, watts, color, radius):
        d = bpy.data.lights.new('p', 'POINT')
        d.energy = watts
        d.color = color
        d.shadow_soft_size = radius
        o = bpy.data.objects.new('p', d)
        o.location = loc
        bpy.context.collection.objects.link(o)
        self.lights.append({'type': 'point', 'watts': round(watts, 2), 'location': [round(v, 2) for v in loc]})

    def area_light(self, loc, target, size, watts, color):
        d = bpy.data.lights.new('a', 'AREA')
        d.energy = watts
        d.color = color
        d.size = size
        o = bpy.data.objects.new('a', d)
        o.location = loc
        o.rotation_euler = look_rotation(loc, target)
        bpy.context.collection.objects.link(o)
        self.lights.append({'type': 'area', 'watts': round(watts, 2), 'size': round(size, 2)})

    def sun_light(self, elevation, azimuth, strength, color=(1, 1, 1), angle=0.0093):
        d = bpy.data.lights.new('s', 'SUN')
        d.energy = strength
        d.color = color
        d.angle = angle
        o = bpy.data.objects.new('s', d)
        # a sun lamp shines along its -Z: point it from (elevation, azimuth) toward the origin
        direction = sun_vector(elevation, azimuth)
        o.rotation_euler = (-direction).to_track_quat('-Z', 'Y').to_euler()
        bpy.context.collection.objects.link(o)
        self.lights.append({'type': 'sun', 'strength': round(strength, 2), 'elevation_deg': round(elevation, 1),
                            'azimuth_deg': round(azimuth, 1)})

    # --- worlds ------------------------------------------------------------------------------------------
    def world_sky(self, elevation, azimuth, strength=1.0, disc=True):
        """Nishita sky; the sun disc lights the scene through world importance sampling."""
        r = self.rng
        w = bpy.context.scene.world
        nt = w.node_tree
        sky = nt.nodes.new('ShaderNodeTexSky')
        sky.sky_type = 'NISHITA'
        sky.sun_disc = disc
        sky.sun_elevation = math.radians(elevation)
        sky.sun_rotation = math.radians(azimuth)
        sky.sun_size = math.radians(r.uniform(0.545, 1.5))
        sky.sun_intensity = 1.0
        sky.altitude = r.uniform(0, 500)
        sky.air_density = r.uniform(0.5, 2.5)
        sky.dust_density = r.uniform(0.0, 3.0)
        sky.ozone_density = r.uniform(0.5, 2.0)
        bg = nt.nodes['Background']
        bg.inputs['Strength'].default_value = strength
        nt.links.new(sky.outputs['Color'], bg.inputs['Color'])
        self.world = {'type': 'nishita', 'sun_elevation_deg': round(elevation, 1),
                      'sun_azimuth_deg': round(azimuth, 1), 'strength': strength, 'sun_disc': disc,
                      'air': round(sky.air_density, 2), 'dust': round(sky.dust_density, 2)}

    def world_hdri(self, strength):
        r = self.rng
        name = r.choice(WORLD_HDRIS)
        w = bpy.context.scene.world
        nt = w.node_tree
        env = nt.nodes.new('ShaderNodeTexEnvironment')
        env.image = bpy.data.images.load(os.path.join(STUDIOLIGHTS, name + '.exr'), check_existing=True)
        mp = nt.nodes.new('ShaderNodeMapping')
        co = nt.nodes.new('ShaderNodeTexCoord')
        mp.inputs['Rotation'].default_value = (0, 0, r.uniform(0, 2 * math.pi))
        nt.links.new(co.outputs['Generated'], mp.inputs['Vector'])
        nt.links.new(mp.outputs['Vector'], env.inputs['Vector'])
        bg = nt.nodes['Background']
        bg.inputs['Strength'].default_value = strength
        nt.links.new(env.outputs['Color'], bg.inputs['Color'])
        self.world = {'type': 'studiolight', 'hdri': name, 'strength': round(strength, 3)}

    def world_flat(self, color, strength):
        bg = bpy.context.scene.world.node_tree.nodes['Background']
        bg.inputs['Color'].default_value = (*color, 1)
        bg.inputs['Strength'].default_value = strength
        self.world = {'type': 'flat', 'color': [round(c, 3) for c in color], 'strength': strength}

    def camera(self, loc, target, lens):
        c = bpy.data.cameras.new('cam')
        c.lens = lens
        c.sensor_width = 36
        c.clip_end = 5000
        o = bpy.data.objects.new('cam', c)
        o.location = loc
        o.rotation_euler = look_rotation(loc, target)
        bpy.context.collection.objects.link(o)
        bpy.context.scene.camera = o
        self.camera_info = {'location': [round(v, 2) for v in loc], 'target': [round(v, 2) for v in target],
                            'lens_mm': round(lens, 1)}


# --------------------------------------------------------------------------------------------- helpers
def load_photo(name):
    d = os.path.join(WALLPAPERS, name, 'contents', 'images')
    for f in ('1280x800.jpg', '1280x1024.jpg', '1920x1080.jpg', '2560x1600.jpg'):
        p = os.path.join(d, f)
        if os.path.exists(p):
            return bpy.data.images.load(p, check_existing=True)
    raise FileNotFoundError(f'{d}: no photograph (apt-get install plasma-workspace-wallpapers)')


def rand_color(r, lo=0.03, hi=0.8):
    """A saturated-to-grey albedo: random hue, saturation and value (linear)."""
    h, s, v = r.random(), r.uniform(0, 1) ** 0.7, r.uniform(lo, hi)
    i = int(h * 6) % 6
    f = h * 6 - int(h * 6)
    p, q, t = v * (1 - s), v * (1 - s * f), v * (1 - s * (1 - f))
    return [(v, t, p), (q, v, p), (p, v, t), (p, q, v), (t, p, v), (v, p, q)][i]


def warm_light(r, lo=2200, hi=6500):
    """Approximate blackbody colour (Rec.709 linear, max 1) for a colour temperature in K."""
    k = r.uniform(lo, hi) / 100
    red = 1.0 if k <= 66 else min(1, 1.292936 * (k - 60) ** -0.1332047)
    green = (0.39008 * math.log(k) - 0.63184) if k <= 66 else 1.129890 * (k - 60) ** -0.0755148
    blue = 1.0 if k >= 66 else (0 if k <= 19 else 0.543207 * math.log(k - 10) - 1.19625)
    c = [max(0.0, min(1.0, x)) ** 2.2 for x in (red, green, blue)]  # sRGB-ish to linear
    m = max(c)
    return tuple(x / m for x in c)


def look_rotation(loc, target):
    return (Vector(target) - Vector(loc)).to_track_quat('-Z', 'Y').to_euler()


def sun_vector(elevation, azimuth):
    """Unit vector toward the sun; azimuth as Nishita's sun_rotation (0 = +Y, counter-clockwise)."""
    e, a = math.radians(elevation), math.radians(azimuth)
    return Vector((-math.sin(a) * math.cos(e), math.cos(a) * math.cos(e), math.sin(e)))


# --------------------------------------------------------------------------------------------- scene kinds
def build_room(S, night=False):
    r = S.rng
    w, d, h = r.uniform(4, 8), r.uniform(4, 8), r.uniform(2.5, 3.5)
    wall_white = r.random() < 0.7
    wall_mat, wall_cls = (S.white(), 'diffuse_white') if wall_white else S.random_material(False)
    floor_mat, floor_cls = S.principled(rand_color(r, 0.05, 0.5), r.uniform(0.1, 0.8), 0, 0.5, texture_p=0.7)
    S.add('plane', (0, 0, 0), (w / 2, d / 2, 1), floor_mat, 'textured' if floor_cls else 'diffuse', 'floor')
    S.add('plane', (0, 0, h), (w / 2, d / 2, 1), wall_mat, wall_cls, 'ceiling', rot=(math.pi, 0, 0))
    # back wall (y = d/2) holds the window: built from four boxes around the opening
    ww, wh = r.uniform(1.0, w * 0.6), r.uniform(0.8, h * 0.6)
    wx, wz = r.uniform(-w / 2 + ww / 2 + 0.2, w / 2 - ww / 2 - 0.2), r.uniform(0.6 + wh / 2, h - wh / 2 - 0.2)
    t = 0.1
    y = d / 2 + t / 2
    left, right = wx - ww / 2, wx + ww / 2
    S.add('cube', ((-w / 2 + left) / 2, y, h / 2), ((left + w / 2) / 2, t / 2, h / 2), wall_mat, wall_cls, 'wall')
    S.add('cube', ((right + w / 2) / 2, y, h / 2), ((w / 2 - right) / 2, t / 2, h / 2), wall_mat, wall_cls, 'wall')
    S.add('cube', (wx, y, (wz - wh / 2) / 2), (ww / 2, t / 2, (wz - wh / 2) / 2), wall_mat, wall_cls, 'wall')
    top = wz + wh / 2
    S.add('cube', (wx, y, (top + h) / 2), (ww / 2, t / 2, (h - top) / 2), wall_mat, wall_cls, 'wall')
    for sx in (-1, 1):  # side walls
        S.add('plane', (sx * w / 2, 0, h / 2), (d / 2, h / 2, 1), wall_mat, wall_cls, 'wall',
              rot=(math.pi / 2, 0, -sx * math.pi / 2))
    S.add('plane', (0, -d / 2, h / 2), (w / 2, h / 2, 1), wall_mat, wall_cls, 'wall', rot=(math.pi / 2, 0, 0))
    outside = r.choice(['sky', 'sky', 'emissive', 'hdri']) if not night else r.choice(['emissive', 'dark'])
    if outside == 'emissive':  # a bright diffusing pane in the opening (frosted glass, overcast)
        strength = r.uniform(3, 40) if not night else r.uniform(1, 8)
        col = warm_light(r, 4000, 9000) if not night else warm_light(r, 2200, 4000)
        S.add('plane', (wx, d / 2 + 0.02, wz), (ww / 2, wh / 2, 1), S.emitter(col, strength), 'emitter',
              'window_pane', rot=(math.pi / 2, 0, 0))
    if outside in ('sky', 'hdri'):
        # a light portal in the opening: Cycles samples the sky through the window, far less noise indoors
        d_ = bpy.data.lights.new('portal', 'AREA')
        d_.cycles.is_portal = True
        d_.shape = 'RECTANGLE'
        d_.size, d_.size_y = ww, wh
        o_ = bpy.data.objects.new('portal', d_)
        o_.location = (wx, d / 2 + t, wz)
        o_.rotation_euler = look_rotation(o_.location, (wx, 0, wz))
        bpy.context.collection.objects.link(o_)
    if outside == 'sky':
        el = r.uniform(5, 60)
        S.world_sky(el, r.uniform(-60, 60) + 180, strength=1.0)  # sun behind the window wall
    elif outside == 'hdri':
        S.world_hdri(r.uniform(0.5, 3))
    else:
        S.world_flat((0.02, 0.03, 0.06), 0.02 if night else 0.3)
    # furniture
    for _ in range(r.randint(2, 6)):
        sx, sy, sz = r.uniform(0.2, 0.8), r.uniform(0.2, 0.8), r.uniform(0.2, 0.9)
        m, c = S.random_material()
        S.add(r.choice(['cube', 'cube', 'cylinder', 'sphere']),
              (r.uniform(-w / 2 + 0.8, w / 2 - 0.8), r.uniform(-d / 2 + 0.8, d / 2 - 0.8), sz),
              (sx, sy, sz), m, c, 'furniture', rot=(0, 0, r.uniform(0, math.pi)))
    # white paper / fabric on the floor or furniture
    for _ in range(r.randint(1, 3)):
        S.add('plane', (r.uniform(-w / 2 + 0.5, w / 2 - 0.5), r.uniform(-d / 2 + 0.5, d / 2 - 0.5), 0.005),
              (r.uniform(0.15, 0.6), r.uniform(0.2, 0.8), 1), S.white(), 'diffuse_white',
              r.choice(['paper', 'rug', 'sheet']), rot=(0, 0, r.uniform(0, math.pi)))
    # lamps: an emissive bulb or shade with a point light inside so the room is lit by it
    for _ in range(r.randint(0 if not night else 1, 3)):
        loc = (r.uniform(-w / 2 + 0.5, w / 2 - 0.5), r.uniform(-d / 2 + 0.5, d / 2 - 0.5),
               r.uniform(1.0, h - 0.3))
        col = warm_light(r, 2400, 5000)
        rad = r.uniform(0.04, 0.2)
        watts = r.uniform(30, 400)
        S.bulb(loc, (rad, rad, rad), col, watts, 'lamp')
    # camera inside, looking roughly toward the window wall (or across)
    cam = (r.uniform(-w / 2 + 0.6, w / 2 - 0.6), -d / 2 + r.uniform(0.4, 1.2), r.uniform(1.0, 1.8))
    look = r.choice([(wx, d / 2, wz), (r.uniform(-w / 2, w / 2), d / 2, r.uniform(0.5, 1.5)),
                     (r.uniform(-w / 2, w / 2), r.uniform(0, d / 2), 0.3)])
    S.camera(cam, look, r.uniform(16, 35))


def build_street(S, night=False):
    r = S.rng
    width = r.uniform(8, 20)
    asphalt, _ = S.principled((0.05, 0.05, 0.055), r.uniform(0.5, 0.9), 0, 0.5, texture_p=0.3)
    S.add('plane', (0, 0, 0), (200, 200, 1), asphalt, 'diffuse', 'ground')
    if r.random() < 0.4:  # snow banks along the street
        for sx in (-1, 1):
            S.add('cube', (sx * (width / 2 - 0.6), 30, 0.1), (0.8, 40, 0.15), S.white(), 'diffuse_white', 'snow')
    for sx in (-1, 1):
        y = -5
        while y < 120:
            depth = r.uniform(6, 18)
            bh = r.uniform(5, 40)
            bw = r.uniform(6, 14)
            m, c = S.random_material()
            x = sx * (width / 2 + 2 + bw / 2)
            S.add('cube', (x, y + depth / 2, bh / 2), (bw / 2, depth / 2, bh / 2), m, c, 'building')
            # windows on the facade facing the street: emissive at night, dark glossy glass by day
            for _ in range(r.randint(0, 4) if not night else r.randint(1, 5)):
                fy, fz = y + r.uniform(1, depth - 1), r.uniform(2, bh - 1)
                lit = night or r.random() < 0.15
                mat = (S.emitter(warm_light(r, 2400, 5500), r.uniform(2, 30)) if lit else
                       S.principled((0.02, 0.025, 0.03), 0.02, 0, 1.0)[0])
                S.add('plane', (x - sx * (bw / 2 + 0.01), fy, fz), (r.uniform(0.4, 1.0), r.uniform(0.5, 1.2), 1),
                      mat, 'emitter' if lit else 'glossy', 'window', rot=(0, sx * math.pi / 2, 0))
            y += depth + r.uniform(0, 4)
    for _ in range(r.randint(1, 6)):  # cars / kiosks / boxes
        m, c = S.random_material()
        S.add('cube', (r.uniform(-width / 2 + 1.5, width / 2 - 1.5), r.uniform(5, 60), 0.75),
              (1.0, 2.2, 0.75), m, c, 'car', rot=(0, 0, r.uniform(-0.1, 0.1)))
    if night:
        for k in range(r.randint(3, 8)):  # street lamps: visible bulb + light
            loc = (r.choice([-1, 1]) * (width / 2 - 0.5), 5 + k * r.uniform(8, 15), r.uniform(4, 6))
            col = warm_light(r, 2000, 4500)
            rad = r.uniform(0.1, 0.25)
            watts = r.uniform(300, 3000)
            S.bulb(loc, (rad, rad, rad), col, watts, 'street_lamp')
        S.world_sky(r.uniform(-4, -1), r.uniform(0, 360), strength=r.uniform(0.5, 1.0), disc=False)
        S.world['type'] = 'nishita_twilight'
    else:
        el = r.uniform(2, 70)
        S.world_sky(el, r.uniform(0, 360), strength=1.0)
    cam = (r.uniform(-width / 4, width / 4), r.uniform(-8, 0), r.uniform(1.2, 4))
    S.camera(cam, (r.uniform(-width / 3, width / 3), r.uniform(30, 80), r.uniform(1, 15)), r.uniform(18, 50))


def build_tabletop(S):
    r = S.rng
    tw, td = r.uniform(1.5, 3), r.uniform(1, 2)
    m, c = S.principled(rand_color(r, 0.05, 0.6), r.uniform(0.1, 0.7), 0, 0.5, texture_p=0.8)
    if r.random() < 0.25:
        m, c = S.white(), 'diffuse_white'  # white tablecloth
    else:
        c = 'textured' if c else 'diffuse'
    S.add('cube', (0, 0, -0.05), (tw / 2, td / 2, 0.05), m, c, 'table')
    fm, fc = S.principled(rand_color(r, 0.02, 0.3), 0.8, 0, 0.3, texture_p=0.5)
    S.add('plane', (0, 0, -1), (30, 30, 1), fm, 'textured' if fc else 'diffuse', 'floor')
    if r.random() < 0.6:  # a backdrop wall
        bm, bc = (S.white(), 'diffuse_white') if r.random() < 0.5 else S.random_material(False)
        S.add('plane', (0, td / 2 + r.uniform(0.2, 2), 1), (10, 3, 1), bm, bc, 'backdrop', rot=(math.pi / 2, 0, 0))
    for _ in range(r.randint(3, 9)):
        s = r.uniform(0.05, 0.25)
        shape = r.choice(['cube', 'sphere', 'cylinder', 'cone', 'torus', 'monkey', 'ico'])
        m, c = S.random_material()
        z = s if shape not in ('torus',) else s * 0.25
        S.add(shape, (r.uniform(-tw / 2 + 0.2, tw / 2 - 0.2), r.uniform(-td / 2 + 0.2, td / 2 - 0.2), z),
              (s, s, s * r.uniform(0.6, 1.8) if shape in ('cube', 'cylinder') else s), m, c, 'object',
              rot=(0, 0, r.uniform(0, math.pi)))
    for _ in range(r.randint(1, 3)):  # sheets of paper, a napkin
        S.add('plane', (r.uniform(-tw / 2 + 0.2, tw / 2 - 0.2), r.uniform(-td / 2 + 0.2, td / 2 - 0.2), 0.002),
              (0.105, 0.148, 1), S.white(), 'diffuse_white', r.choice(['paper', 'napkin']),
              rot=(0, 0, r.uniform(0, math.pi)))
    if r.random() < 0.4:  # a candle or small lamp in shot
        loc = (r.uniform(-tw / 3, tw / 3), r.uniform(-td / 3, td / 3), r.uniform(0.15, 0.4))
        rad = r.uniform(0.01, 0.03)
        watts = r.uniform(2, 20)
        col = warm_light(r, 1800, 3000)
        S.bulb(loc, (rad, rad, rad * 1.6), col, watts, 'flame')
    # key area light, optional fill; studio HDRI or dim flat world
    key = Vector((r.uniform(-2, 2), r.uniform(-2, 1), r.uniform(1, 3)))
    S.area_light(key, (0, 0, 0), r.uniform(0.2, 1.5), r.uniform(50, 600), warm_light(r, 3000, 7000))
    if r.random() < 0.5:
        S.area_light((-key.x, r.uniform(-3, -1), r.uniform(0.5, 2)), (0, 0, 0), r.uniform(0.5, 2),
                     r.uniform(10, 150), warm_light(r, 4000, 9000))
    if r.random() < 0.5:
        S.world_hdri(r.uniform(0.2, 1.5))
    else:
        S.world_flat(rand_color(r, 0.2, 1), r.uniform(0.02, 0.3))
    cam = (r.uniform(-1.5, 1.5), r.uniform(-3, -1.2), r.uniform(0.4, 1.6))
    S.camera(cam, (r.uniform(-0.3, 0.3), r.uniform(-0.2, 0.2), 0.1), r.uniform(30, 85))


def build_landscape(S):
    r = S.rng
    snow = r.random() < 0.5
    S.add('grid', (0, 0, 0), (1, 1, 1), S.white() if snow else
          S.principled(rand_color(r, 0.05, 0.35), r.uniform(0.6, 1), 0, 0.3, texture_p=0.7)[0],
          'diffuse_white' if snow else 'diffuse', 'terrain', x_subdivisions=160, y_subdivisions=160, size=600)
    o = bpy.context.active_object
    tex = bpy.data.textures.new('hills', 'CLOUDS')
    tex.noise_scale = 100 * r.uniform(0.3, 1.0)  # hills 30-100 m across (grid cells are 3.75 m)
    tex.noise_depth = 3
    tex.noise_basis = 'ORIGINAL_PERLIN'
    mod = o.modifiers.new('disp', 'DISPLACE')
    mod.texture = tex
    mod.texture_coords = 'LOCAL'
    mod.strength = r.uniform(10, 60)
    mod.mid_level = 0.5
    bpy.ops.object.shade_smooth()
    # sample the terrain height under a point (evaluated mesh) so objects and camera stand on it
    dg = bpy.context.evaluated_depsgraph_get()
    ev = o.evaluated_get(dg)

    def ground(x, y):
        hit, loc, *_ = ev.ray_cast(Vector((x, y, 1000)), Vector((0, 0, -1)))
        return loc.z if hit else 0.0

    if r.random() < 0.4:  # a lake
        wm, _ = S.principled((0.02, 0.04, 0.05), 0.02, 0, 1.0)
        S.add('plane', (0, 0, ground(0, 40) + r.uniform(-3, 1)), (300, 300, 1), wm, 'glossy', 'water')
    for _ in range(r.randint(2, 12)):  # rocks, white tents / boulders of snow
        x, y = r.uniform(-40, 40), r.uniform(5, 120)
        s = r.uniform(0.5, 4)
        m, c = (S.white(), 'diffuse_white') if r.random() < 0.3 else S.random_material(False)
        S.add('ico', (x, y, ground(x, y) + s * 0.4), (s, s * r.uniform(0.8, 1.5), s * r.uniform(0.4, 1)), m, c,
              'rock', subdivisions=2)
    el = r.choice([r.uniform(1, 12), r.uniform(12, 70)])  # low or high sun
    az = r.uniform(0, 360)
    S.world_sky(el, az, strength=1.0)
    cx, cy = r.uniform(-10, 10), r.uniform(-20, 0)
    cam = (cx, cy, ground(cx, cy) + r.uniform(1.5, 30))
    # look toward the sun now and then (backlit hills, sun in frame)
    if r.random() < 0.35:
        sv = sun_vector(el, az)
        target = Vector(cam) + Vector((sv.x, sv.y, 0)).normalized() * 100 + Vector((0, 0, r.uniform(-10, 20)))
    else:
        target = Vector((r.uniform(-30, 30), r.uniform(60, 200), cam[2] + r.uniform(-30, 10)))
    S.camera(cam, tuple(target), r.uniform(18, 60))


def build_backlight(S):
    """Subjects in front of a low sun or a bright window: the camera looks into the light."""
    r = S.rng
    if r.random() < 0.5:
        gm, gc = S.principled(rand_color(r, 0.05, 0.5), r.uniform(0.3, 0.9), 0, 0.5, texture_p=0.7)
        S.add('plane', (0, 0, 0), (200, 200, 1), gm, 'textured' if gc else 'diffuse', 'ground')
        el, az = r.uniform(2, 25), r.uniform(-20, 20)  # azimuth 0 = the sun in +Y, where the camera looks
        S.world_sky(el, az, strength=1.0)
        for _ in range(r.randint(3, 8)):
            s = r.uniform(0.3, 1.5)
            m, c = S.random_material()
            S.add(r.choice(['cube', 'sphere', 'cylinder', 'monkey', 'cone']),
                  (r.uniform(-5, 5), r.uniform(3, 15), s), (s, s, s), m, c, 'subject',
                  rot=(0, 0, r.uniform(0, math.pi)))
        S.add('plane', (r.uniform(-3, 3), r.uniform(3, 10), 0.01), (r.uniform(0.5, 2), r.uniform(0.5, 2), 1),
              S.white(), 'diffuse_white', 'sheet')
        sv = sun_vector(el, az)
        cam = (r.uniform(-2, 2), r.uniform(-4, -1), r.uniform(0.8, 2.5))
        target = Vector(cam) + sv * 20 + Vector((r.uniform(-4, 4), 0, r.uniform(-6, -1)))
        S.camera(cam, tuple(target), r.uniform(20, 45))
    else:
        build_room(S)  # then turn the camera to the window
        S.world['backlight'] = True
        win = [o for o in bpy.data.objects if o.name.startswith('window_pane')]
        cam = bpy.context.scene.camera
        walls = [o for o in bpy.data.objects if o.name.startswith('wall')]
        y_back = max(o.location.y for o in walls)
        target = win[0].location.copy() if win else Vector((0, y_back, 1.5))
        # a white subject between camera and window (a chair with a sheet, a lampshade)
        mid = cam.location.lerp(target, r.uniform(0.4, 0.7))
        s = r.uniform(0.2, 0.5)
        S.add(r.choice(['cube', 'sphere', 'cylinder']), (mid.x, mid.y, s), (s, s, s), S.white(), 'diffuse_white',
              'subject')
        cam.rotation_euler = look_rotation(cam.location, target)
        S.camera_info['target'] = [round(v, 2) for v in target]


# --------------------------------------------------------------------------------------------- render
def setup_render(S, size, samples, threads, tmp, adaptive=0.0, max_samples=0):
    sc = bpy.context.scene
    sc.render.engine = 'CYCLES'
    cy = sc.cycles
    cy.device = 'CPU'
    cy.samples = samples
    cy.use_adaptive_sampling = False
    if adaptive > 0:  # at least `samples` everywhere, up to max_samples where the noise is above the threshold
        cy.use_adaptive_sampling = True
        cy.adaptive_threshold = adaptive
        cy.adaptive_min_samples = samples
        cy.samples = max(max_samples, samples)
    cy.use_denoising = False  # Debian's Blender has no OpenImageDenoise
    cy.seed = S.seed % 2147483647
    cy.use_animated_seed = False
    cy.max_bounces = 8
    cy.diffuse_bounces = 4
    cy.glossy_bounces = 4
    cy.transmission_bounces = 8
    cy.sample_clamp_direct = 0.0
    # indirect clamp is in the lighting's own units (a key-lit white ~ 1): it removes fireflies from caustic-like
    # paths only; direct light, speculars of lamps and the sun stay unclamped
    cy.sample_clamp_indirect = 50.0
    cy.blur_glossy = 1.0
    cy.caustics_reflective = False
    cy.caustics_refractive = False
    sc.render.threads_mode = 'FIXED'
    sc.render.threads = threads
    sc.render.resolution_x = size
    sc.render.resolution_y = size
    sc.render.resolution_percentage = 100
    sc.render.film_transparent = False
    sc.render.use_persistent_data = False
    sc.view_settings.view_transform = 'Standard'
    sc.view_settings.look = 'None'
    sc.view_settings.exposure = 0.0
    sc.view_settings.gamma = 1.0
    sc.display_settings.display_device = 'None'  # the 8-bit mask PNG then holds raw code values
    im = sc.render.image_settings
    im.file_format = 'OPEN_EXR'
    im.color_mode = 'RGB'
    im.color_depth = '32'
    im.exr_codec = 'ZIP'
    sc.render.filepath = os.path.join(tmp, 'raw.exr')
    vl = sc.view_layers[0]
    vl.use_pass_object_index = True
    # compositor: object index -> 8-bit PNG of the mask codes (index / 255 so the PNG stores the code)
    sc.use_nodes = True
    nt = sc.node_tree
    for n in list(nt.nodes):
        nt.nodes.remove(n)
    rl = nt.nodes.new('CompositorNodeRLayers')
    comp = nt.nodes.new('CompositorNodeComposite')
    nt.links.new(rl.outputs['Image'], comp.inputs['Image'])
    div = nt.nodes.new('CompositorNodeMath')
    div.operation = 'DIVIDE'
    div.inputs[1].default_value = 255.0
    nt.links.new(rl.outputs['IndexOB'], div.inputs[0])
    fo = nt.nodes.new('CompositorNodeOutputFile')
    fo.base_path = tmp
    fo.format.file_format = 'PNG'
    fo.format.color_mode = 'BW'
    fo.format.color_depth = '8'
    fo.file_slots[0].path = 'mask'
    nt.links.new(div.outputs[0], fo.inputs[0])


def read_pixels(path, channels):
    img = bpy.data.images.load(path)
    w, h = img.size
    a = np.empty(w * h * 4, np.float32)
    img.pixels.foreach_get(a)
    a = a.reshape(h, w, 4)[::-1, :, :channels]  # Blender stores rows bottom-up
    return img, a


def meter(S, rgb, mask):
    """Camera operator's exposure: reflected-light metering, then the whites are protected.

    Mid-grey: the log-average luminance of everything that is not a light source lands at 0.18 x 2^bias
    (bias -0.7..+0.5 EV by day; -2.5..-1.2 EV at night, where the operator keeps the night dark). Then, where
    diffuse whites fill at least 0.5 % of the frame, the exposure is lowered if needed so that their 90th
    luminance percentile is at most w_max (0.8-1.0 of SDR white): the white shirt is not clipped, so in the HDR
    target only lights, speculars and sky lie above diffuse white (a clipped white whose target is far above SDR
    white would teach the network exactly the glowing whites it must not make)."""
    r = random.Random(S.seed * 7919 + 17)  # exposure draws do not shift the scene's draws
    lum = rgb @ np.array([0.2126, 0.7152, 0.0722], np.float32)
    surf = lum[mask != MASK_CODES['emitter']]
    if surf.size < 100:
        surf = lum.ravel()
    floor = max(float(np.percentile(surf, 99)) * 1e-4, 1e-12)
    logavg = float(np.exp(np.mean(np.log(np.maximum(surf, floor)))))
    bias = r.uniform(-2.5, -1.2) if S.night else r.uniform(-0.7, 0.5)
    k = 0.18 * 2 ** bias / max(logavg, 1e-12)
    white = lum[mask == MASK_CODES['diffuse_white']]
    w_max = r.uniform(0.8, 1.0)
    white_p90 = float(np.percentile(white, 90)) if white.size >= 0.005 * lum.size else None
    capped = False
    if white_p90 is not None and white_p90 * k > w_max:
        k = w_max / white_p90
        capped = True
    return k, {'rule': 'logavg->0.18*2^bias, then whites p90 <= white_max', 'bias_ev': round(bias, 3),
               'logavg_raw': logavg, 'white_max': round(w_max, 3), 'white_capped': capped,
               'white_p90_raw': white_p90}


def clear_camera(S):
    """Delete closed objects that enclose the camera (random furniture can land on it: an all-black frame).

    Draws nothing from the scene's random stream, so every other scene stays as it was."""
    cam = bpy.context.scene.camera.location
    removed = []
    for o in list(bpy.data.objects):
        if o.type != 'MESH' or o.name.split('.')[0] in ('floor', 'ground', 'terrain', 'ceiling', 'wall', 'water',
                                                        'backdrop'):
            continue
        local = o.matrix_world.inverted() @ cam
        lo = [min(v.co[i] for v in o.data.vertices) for i in range(3)]
        hi = [max(v.co[i] for v in o.data.vertices) for i in range(3)]
        if not all(lo[i] - 1e-3 <= local[i] <= hi[i] + 1e-3 for i in range(3)):
            continue
        ok, p, n, _ = o.closest_point_on_mesh(local)
        if ok and (local - p).dot(n) < 0:  # behind the nearest face: inside the object
            removed.append(o.name)
            S.objects = [x for x in S.objects if x['name'] != o.name]
            bpy.data.objects.remove(o)
    return removed


def render_seed(seed, out, size, samples, threads, adaptive=0.0, max_samples=0):
    bpy.ops.wm.read_factory_settings(use_empty=True)
    sc = bpy.context.scene
    sc.world = bpy.data.worlds.new('world')
    sc.world.use_nodes = True
    S = Scene(seed)
    r = S.rng
    kind = r.choices(KINDS, KIND_WEIGHTS)[0]
    if kind == 'room':
        build_room(S)
    elif kind == 'street':
        build_street(S)
    elif kind == 'tabletop':
        build_tabletop(S)
    elif kind == 'landscape':
        build_landscape(S)
    elif kind == 'night':
        S.night = True
        (build_room if r.random() < 0.5 else build_street)(S, night=True)
    else:
        build_backlight(S)
    removed = clear_camera(S)
    tmp = os.path.join(out, f'.tmp-{seed:05d}')
    os.makedirs(tmp, exist_ok=True)
    setup_render(S, size, samples, threads, tmp, adaptive, max_samples)
    t0 = time.time()
    bpy.ops.render.render(write_still=True)
    seconds = time.time() - t0
    raw_img, rgb = read_pixels(os.path.join(tmp, 'raw.exr'), 3)
    mask_file = [f for f in os.listdir(tmp) if f.startswith('mask')][0]
    _, m = read_pixels(os.path.join(tmp, mask_file), 1)
    mask = np.rint(m[..., 0] * 255).astype(np.int32)
    k, metering = meter(S, rgb, mask)
    # write the exposed radiance through Blender's EXR writer (float32, linear: no view transform on EXR)
    a = np.empty(size * size * 4, np.float32)
    raw_img.pixels.foreach_get(a)
    a = a.reshape(-1, 4)
    a[:, :3] *= k
    a[:, 3] = 1
    raw_img.pixels.foreach_set(a.ravel())
    name = f'scene-{seed:05d}'
    raw_img.save_render(os.path.join(out, name + '.exr.part'), scene=sc)
    os.replace(os.path.join(out, name + '.exr.part'), os.path.join(out, name + '.exr'))
    os.replace(os.path.join(tmp, mask_file), os.path.join(out, name + '.mask.png'))
    os.remove(os.path.join(tmp, 'raw.exr'))
    os.rmdir(tmp)
    lum = (rgb * k) @ np.array([0.2126, 0.7152, 0.0722], np.float32)
    med = float(np.median(lum))
    white = lum[mask == MASK_CODES['diffuse_white']]
    side = {
        'seed': seed, 'kind': kind, 'generator_version': GENERATOR_VERSION,
        'blender': bpy.app.version_string, 'engine': 'CYCLES (CPU)', 'samples': samples,
        'adaptive_threshold': adaptive, 'max_samples': sc.cycles.samples, 'size': [size, size],
        'cycles_seed': sc.cycles.seed, 'threads': threads, 'render_seconds': round(seconds, 2),
        'colour': 'scene-linear Rec.709 (Blender working space), Standard view, exposure baked in',
        'exposure': k, 'exposure_ev': round(math.log2(k), 3), 'metering': metering,
        'stats': {'median_lum': med, 'peak_lum': float(lum.max()), 'p99_lum': float(np.percentile(lum, 99)),
                  'peak_over_median': float(lum.max() / max(med, 1e-9)),
                  'share_above_1': float((lum > 1).mean()),
                  'white_median_lum': float(np.median(white)) if white.size else None},
        'mask': {'file': name + '.mask.png', 'codes': MASK_CODES,
                 'share': {c: float((mask == v).mean()) for c, v in MASK_CODES.items()}},
        'world': S.world, 'lights': S.lights, 'camera': S.camera_info, 'objects': S.objects,
        'diffuse_white_objects': [o['name'] for o in S.objects if o['material'] == 'diffuse_white'],
        'emitter_objects': [o['name'] for o in S.objects if o['material'] == 'emitter'],
        'textures': sorted(S.textures),
        'removed_around_camera': removed,
        # a frame with no light reaching the camera teaches nothing
        'usable': bool(metering['logavg_raw'] > 1e-9 and np.isfinite(rgb).all()),
    }
    with open(os.path.join(out, name + '.json.part'), 'w') as f:
        json.dump(side, f, indent=1)
    os.replace(os.path.join(out, name + '.json.part'), os.path.join(out, name + '.json'))
    return side


def main():
    import argparse
    argv = sys.argv[sys.argv.index('--') + 1:] if '--' in sys.argv else []
    ap = argparse.ArgumentParser(prog='scenes.py')
    ap.add_argument('--out', required=True)
    ap.add_argument('--first', type=int, default=0)
    ap.add_argument('--count', type=int, default=1)
    ap.add_argument('--size', type=int, default=256)
    ap.add_argument('--samples', type=int, default=64)
    ap.add_argument('--adaptive', type=float, default=0.0, help='Cycles adaptive-sampling threshold (0 = off)')
    ap.add_argument('--max-samples', type=int, default=0, help='with --adaptive: samples where noise stays high')
    ap.add_argument('--threads', type=int, default=1)
    ap.add_argument('--skip-existing', action='store_true', help='leave seeds whose .json exists')
    a = ap.parse_args(argv)
    os.makedirs(a.out, exist_ok=True)
    for seed in range(a.first, a.first + a.count):
        if a.skip_existing and os.path.exists(os.path.join(a.out, f'scene-{seed:05d}.json')):
            continue
        t0 = time.time()
        s = render_seed(seed, a.out, a.size, a.samples, a.threads, a.adaptive, a.max_samples)
        print(f'SCENE {seed} {s["kind"]} render {s["render_seconds"]:.1f}s total {time.time() - t0:.1f}s '
              f'EV {s["exposure_ev"]:+.2f} peak/median {s["stats"]["peak_over_median"]:.1f} '
              f'>1 {100 * s["stats"]["share_above_1"]:.1f}% white {100 * s["mask"]["share"]["diffuse_white"]:.1f}%',
              flush=True)


if __name__ == '__main__':
    main()
